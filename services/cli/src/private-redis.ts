/**
 * `svpn up` without REDIS_URL: a private redis-server in `.data/redis`, configured as DESIGN §5
 * asks of the system of record (AOF with fsync every second, no eviction), on loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { SvpnError } from '@svpn/errors';

export class RedisStartError extends SvpnError<'SVPN_REDIS_START'> {
  constructor(message: string) {
    super('SVPN_REDIS_START', message);
  }
}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.setTimeout(300);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startPrivateRedis(dir: string, preferredPort = 6390): Promise<PrivateRedis> {
  mkdirSync(dir, { recursive: true });
  const port = (await portFree(preferredPort)) ? preferredPort : await anyPort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes'];
  args.push('--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', '');
  let child: ChildProcess;
  try {
    child = spawn('redis-server', args, { stdio: 'ignore' });
  } catch (error) {
    throw new RedisStartError(`cannot start redis-server: ${(error as Error).message}`);
  }
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (spawnError !== undefined) {
      throw new RedisStartError(
        `cannot run redis-server (${spawnError.message}): install it (apt-get install redis-server) or set REDIS_URL`,
      );
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisStartError(
        `redis-server did not start on 127.0.0.1:${port}; set REDIS_URL to use another Redis`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
