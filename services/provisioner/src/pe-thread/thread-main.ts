/**
 * Inside the PE worker thread: the provisioner's PE workers and reconciler on their own Redis
 * connection, event loop and heap, answering the main thread's questions (metrics, readiness, a
 * reconcile pass, stop). Started by {@link PeWorkerThread} through entry.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createLogger, type MetricsJson } from '@svpn/service-kit';
import { relayCompletionsTo } from '../jobs/completion-channel.js';
import { startProvisioner, type ProvisionerService } from '../start-provisioner.js';
import type { PeThreadData, ThreadAnswers, ThreadMessage, ThreadRequest } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('thread-main runs in a worker thread (PeWorkerThread)');
const data = workerData as PeThreadData;
const post = (message: ThreadMessage): void => port.postMessage(message);
const log = createLogger(
  'provisioner',
  { level: data.logLevel, base: { service: 'provisioner', thread: 'pe-workers' } },
  pino.destination({ fd: data.logFd, sync: true }),
);

// The steps waiting for this thread's jobs run on the main thread: notices go there by the port.
if (data.relayCompletions) {
  relayCompletionsTo((channel, notice) => post({ type: 'completion', channel, notice }));
}

let service: ProvisionerService;
const registry = new Registry();
try {
  service = await startProvisioner(
    { ...data.config, runWorkers: true, runReconciler: true },
    { log, registry, owner: data.owner },
  );
} catch (error) {
  post({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  port.close();
  throw error;
}
const running = service;

/** The series the workers and the reconciler write; the queue depths are read by the main thread. */
async function metrics(): Promise<MetricsJson> {
  const m = running.metrics;
  return Promise.all([m.jobDuration, m.jobFailures, m.reconcileRuns, m.reconcileActions].map((x) => x.get()));
}

const answer: { [K in keyof ThreadAnswers]: () => Promise<ThreadAnswers[K]> } = {
  metrics,
  check: async () => (running.workers.some((w) => !w.worker.isRunning()) ? 'a PE worker stopped' : null),
  reconcile: async () => {
    // Started with runReconciler: true, so it has one; say so plainly if that ever changes.
    if (running.reconciler === null) throw new Error('the PE worker thread runs no reconciler');
    return running.reconciler.reconcile();
  },
  stop: async () => {
    await running.stop();
    return null;
  },
};

port.on('message', (request: ThreadRequest) => {
  answer[request.type]().then(
    (value) => {
      post({ type: 'reply', id: request.id, ok: true, value });
      // Nothing is left to keep the thread alive once the port closes: it exits.
      if (request.type === 'stop') port.close();
    },
    (error: unknown) =>
      post({
        type: 'reply',
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
log.info({ pes: running.pes }, 'PE workers and reconciler running in their own thread');
post({ type: 'ready' });
