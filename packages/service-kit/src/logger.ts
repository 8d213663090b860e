import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout (pino). Every service names itself; components take a child logger
 * (`log.child({ component: 'sip.gateway' })`). Level from `LOG_LEVEL`, default `info`.
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino({
    level: process.env['LOG_LEVEL'] ?? 'info',
    base: { service },
    redact: {
      paths: ['password', '*.password', 'ha1', '*.ha1', 'authorization', '*.authorization'],
      remove: true,
    },
    ...options,
  });
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
