import { Redis, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes.js';

/**
 * A Redis connection for a service. `maxRetriesPerRequest: null` is what BullMQ requires of the
 * connections it uses and keeps commands queued across short outages for everyone else. Commands
 * issued in one tick leave in one socket write ({@link coalesceWrites}).
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  return coalesceWrites(
    new Redis(url, {
      maxRetriesPerRequest: null,
      enableReadyCheck: true,
      lazyConnect: false,
      ...options,
    }),
  );
}

/** Resolves once the connection answers PING (for readiness and start-up ordering). */
export async function pingRedis(redis: Redis): Promise<void> {
  const pong = await redis.ping();
  if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
}
