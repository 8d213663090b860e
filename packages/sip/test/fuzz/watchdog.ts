/**
 * A watchdog for the fuzz loop. The loop writes the index of the case it is about to run into a
 * shared array; a worker thread polls it. When the index stops moving for `stallMs` (a hang: an
 * infinite loop never returns, so the loop itself cannot notice), the worker writes the seed and
 * case index straight to fd 2 — the main thread's streams are stuck with it — and kills the
 * process, so the hang is reported with what reproduces it.
 */
import { Worker } from 'node:worker_threads';

export interface WatchdogOptions {
  /** Printed with the stalled case index. */
  seed: number;
  /** How long one case may stall before the process is ended. */
  stallMs: number;
}

export interface Watchdog {
  /** `heartbeat[0]` is the index of the case running now. */
  readonly heartbeat: Int32Array;
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.buffer);
let last = Atomics.load(beat, 0);
let since = Date.now();
setInterval(() => {
  if (Atomics.load(beat, 1) === 1) process.exit(0);
  const now = Atomics.load(beat, 0);
  if (now !== last) { last = now; since = Date.now(); return; }
  if (Date.now() - since > workerData.stallMs) {
    writeSync(2, 'fuzz: HANG — case ' + now + ' of seed ' + workerData.seed + ' made no progress for ' +
      workerData.stallMs + ' ms; reproduce with: npm run fuzz -- --seed ' + workerData.seed + ' --only ' + now + '\\n');
    writeSync(1, '0 passed, 1 failed\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, Math.min(1000, workerData.stallMs / 4));
`;

export function startWatchdog(options: WatchdogOptions): Watchdog {
  const buffer = new SharedArrayBuffer(8);
  const heartbeat = new Int32Array(buffer);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Plain JavaScript: no loader hooks (tsx's talk to the main thread, which may be the one stuck).
    execArgv: [],
    workerData: { buffer, seed: options.seed, stallMs: options.stallMs },
  });
  worker.unref();
  return {
    heartbeat,
    async stop() {
      Atomics.store(heartbeat, 1, 1);
      await worker.terminate();
    },
  };
}
