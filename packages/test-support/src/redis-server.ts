import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';

export interface RedisServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** @defaultValue 'redis-server' */
  binary?: string;
  /** Persist with AOF like production (appendfsync everysec). @defaultValue false */
  appendOnly?: boolean;
  /** A fixed port (tests of this helper); by default a free one, tried again if taken meanwhile. */
  port?: number;
}

/**
 * Starts a private redis-server on a free loopback port, in a temporary directory,
 * and resolves once it answers PING. Tests own it and stop it in `after`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const started = await startOn(port, options);
    if (typeof started !== 'string') return started;
    // The port was taken between freePort and the bind (test files run in parallel).
    if (options.port !== undefined || attempt >= 5) throw new Error(started);
  }
}

async function startOn(port: number, options: RedisServerOptions): Promise<RedisServerHandle | string> {
  const dir = mkdtempSync(join(tmpdir(), 'svpn-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', options.appendOnly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction');
  const child: ChildProcess = spawn(options.binary ?? 'redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Whoever answers must be our child: on a port taken meanwhile, another test file's server
    // would answer, and sharing it ends in a hang when that file stops it.
    const pid = await serverPid(port);
    if (pid === child.pid) break;
    if (pid !== undefined || child.exitCode !== null || Date.now() > deadline) {
      await stop();
      return pid !== undefined
        ? `redis-server could not take port ${port}: process ${pid} serves it`
        : `redis-server did not start on port ${port} (is the redis-server package installed?)`;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

/** The `process_id` the Redis server on `port` reports, or undefined when none answers. */
function serverPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (pid: number | undefined): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      const match = /process_id:(\d+)/.exec(reply);
      if (match) done(Number(match[1]));
      else if (reply.startsWith('-') || reply.length > 65_536) done(undefined);
    });
    socket.once('error', () => done(undefined));
    socket.once('timeout', () => done(undefined));
  });
}
