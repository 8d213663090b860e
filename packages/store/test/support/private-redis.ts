/**
 * One private redis-server per test file: started in `before`, and in `after` every client the file
 * opened on it is disconnected and the server stopped.
 */
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';

export interface PrivateRedis {
  /** The server's URL (once `before` has run). */
  readonly url: string;
  /** A new client on the server, disconnected after the file's tests. */
  client(): Redis;
}

/** Registers the file's `before`/`after` hooks; call it at the top level of a test file. */
export function privateRedis(): PrivateRedis {
  let server: RedisServerHandle | undefined;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });
  const url = (): string => {
    if (server === undefined) throw new Error('the private redis-server starts in before()');
    return server.url;
  };
  return {
    get url() {
      return url();
    },
    client() {
      const client = new Redis(url());
      clients.push(client);
      return client;
    },
  };
}
