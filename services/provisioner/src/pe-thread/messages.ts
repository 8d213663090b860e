import type { MetricsJson } from '@svpn/service-kit';
import type { Config } from '../config.js';
import type { CompletionNotice } from '../jobs/completion-channel.js';
import type { ReconcileReport } from '../reconciler/reconciler.js';

/** What the PE worker thread is started with (`workerData`). */
export interface PeThreadData {
  /** The provisioner configuration; the thread runs its PE workers and reconciler. */
  config: Config;
  /** The level and file descriptor of the thread's JSON logs (pino). */
  logLevel: string;
  logFd: number;
  /** Its name in the reconciler lease. */
  owner: string;
  /**
   * Whether the main thread takes the job completion notices no waiter in the thread takes
   * (`completion` messages) and hands them on; otherwise the thread publishes them itself.
   */
  relayCompletions: boolean;
}

/** A question the main thread asks; each is answered once with a {@link ThreadReply} of the same id. */
export type ThreadRequest =
  | { type: 'metrics'; id: number }
  | { type: 'check'; id: number }
  | { type: 'reconcile'; id: number }
  | { type: 'stop'; id: number };

/** The answers, by request type. */
export interface ThreadAnswers {
  metrics: MetricsJson;
  /** Why the workers are not running, or null when they are. */
  check: string | null;
  reconcile: ReconcileReport;
  stop: null;
}

/** What the thread posts: once `ready` (or `failed` to start), then replies and completion notices. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'completion'; channel: string; notice: CompletionNotice }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };
