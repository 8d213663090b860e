import type { Socket } from 'node:net';
import type { Redis } from 'ioredis';

const PATCHED = Symbol('svpn.coalescedWrites');

type PatchableSocket = Socket & { [PATCHED]?: true };
type Chunk = string | Buffer;

/** One chunk of what a tick wrote: a single string when every chunk is one (the usual case). */
function joined(chunks: readonly Chunk[]): Chunk {
  if (chunks.every((c) => typeof c === 'string')) return (chunks as string[]).join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/**
 * Sends the commands a connection is given within one event-loop turn in one socket write. ioredis
 * writes each command to its socket as it is issued, one `write` system call each; a service issuing
 * tens of commands per call spends more CPU in those calls than in anything else (profiled: 17 % of
 * the gateway's). The patched `write` only appends the command's bytes to a list; once the turn's
 * I/O callbacks and timers have run (`setImmediate`: the check phase of the same turn, so no command
 * waits for more than the callbacks already due) the list leaves as ONE string (or Buffer) in one
 * `write`. Under load one turn handles many datagrams and replies, each issuing commands: they now
 * share one system call, where flushing per callback (`process.nextTick`) paid one each; and it is
 * cheaper than corking the socket, where each command still passes through the stream's buffering
 * and the kernel gets a writev of many small pieces (profiled: `writev` and per-piece string
 * encoding were 12 % of the system's CPU). The bytes
 * and their order are unchanged — only the number of writes — so replies, transactions, scripts and
 * blocking commands behave exactly as before (unlike ioredis' auto-pipelining, which regroups
 * commands). The socket is patched again after every reconnect.
 */
export function coalesceWrites(redis: Redis): Redis {
  const patch = (): void => {
    const stream = (redis as unknown as { stream?: PatchableSocket }).stream;
    if (stream === undefined || stream[PATCHED]) return;
    stream[PATCHED] = true;
    const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    let pending: Chunk[] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      const chunks = pending;
      pending = [];
      write(chunks.length === 1 ? chunks[0] : joined(chunks));
    };
    stream.write = function coalescedWrite(...args: unknown[]): boolean {
      const [chunk] = args;
      if (args.length === 1 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
        if (pending.push(chunk) === 1) setImmediate(flush);
        return true;
      }
      // An encoding or a callback: keep the order, then write as asked.
      flush();
      return write(...args);
    } as Socket['write'];
  };
  redis.on('connect', patch);
  patch();
  return redis;
}
