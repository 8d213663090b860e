import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout (pino), or on `destination`. Every service names itself; components take a
 * child logger (`log.child({ component: 'sip.gateway' })`). Level from `LOG_LEVEL`, default `info`.
 */
export function createLogger(
  service: string,
  options: LoggerOptions = {},
  destination?: DestinationStream,
): Logger {
  const settings: LoggerOptions = {
    level: process.env['LOG_LEVEL'] ?? 'info',
    base: { service },
    redact: {
      paths: ['password', '*.password', 'ha1', '*.ha1', 'authorization', '*.authorization'],
      remove: true,
    },
    ...options,
  };
  return destination === undefined ? pino(settings) : pino(settings, destination);
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
