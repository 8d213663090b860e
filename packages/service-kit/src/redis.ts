import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for a service. `maxRetriesPerRequest: null` is what BullMQ requires of the
 * connections it uses and keeps commands queued across short outages for everyone else.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...options,
  });
}

/** Resolves once the connection answers PING (for readiness and start-up ordering). */
export async function pingRedis(redis: Redis): Promise<void> {
  const pong = await redis.ping();
  if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
}
