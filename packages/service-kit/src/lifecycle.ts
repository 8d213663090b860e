import type { Logger } from 'pino';

export interface Stoppable {
  /** Stops taking new work, finishes what is in flight, releases resources. */
  stop(): Promise<void>;
}

/**
 * Graceful shutdown (DESIGN §7 operations): on SIGTERM/SIGINT, stop every component in reverse
 * start order, then exit 0; a second signal, or `graceMs` passing, exits at once with 1.
 */
export function handleShutdown(components: Stoppable[], log: Logger, graceMs = 30_000): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'draining');
    const timer = setTimeout(() => {
      log.error({ graceMs }, 'drain took too long: exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    (async () => {
      for (const component of [...components].reverse()) {
        try {
          await component.stop();
        } catch (error) {
          log.error({ err: error }, 'component failed to stop');
        }
      }
      log.info({}, 'stopped');
      process.exit(0);
    })().catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
