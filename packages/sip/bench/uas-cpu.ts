// CPU time the stack-only UAS (uas-server.ts) spends per call at a fixed rate, read from
// /proc/<pid>/stat: a figure that, unlike the highest sustained rate, does not move much when
// other processes share the machine. The window covers the calls and the lingering that follows
// them (server transactions wait up to 64·T1 for retransmissions), so timers and the garbage
// collection of finished calls are counted too.
//
// Usage: tsx packages/sip/bench/uas-cpu.ts [--rate=1000] [--seconds=10] [--linger=34] [--runs=1]
//        [--subject=ours|sipp] [--server=<another uas-server.ts>]
//        [--node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, runSipp } from '@svpn/test-support';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const rate = Number(arg('rate', '1000'));
const seconds = Number(arg('seconds', '10'));
const lingerSeconds = Number(arg('linger', '34'));
const runs = Number(arg('runs', '1'));
const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
/** `ours` (uas-server.ts) or `sipp` (SIPp's own uas, as the reference of the sip-uas bench). */
const subject = arg('subject', 'ours');
/** Another UAS script taking `<port>` (e.g. an older checkout's uas-server.ts, for before/after). */
const serverScript = arg('server', fileURLToPath(new URL('./uas-server.ts', import.meta.url)));
const BUFFER_ARGS = ['-buff_size', String(4 * 1024 * 1024)];
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process or thread from its stat file, in ms. */
function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state); utime is field 14, stime 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

const cpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);
const mainThreadMs = (pid: number): number => statCpuMs(`/proc/${pid}/task/${pid}/stat`);

/** CPU ms of the main (JS) thread and of all others together (V8's GC helpers, libuv's pool, …). */
function threadCpuMs(pid: number): { main: number; others: number } {
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) !== pid) others += statCpuMs(`/proc/${pid}/task/${tid}/stat`);
  }
  return { main: mainThreadMs(pid), others };
}

async function startServer(port: number): Promise<ChildProcess> {
  if (subject === 'sipp') {
    const args = ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-nostdin', ...BUFFER_ARGS];
    const sipp = spawn('sipp', args, { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    if (sipp.exitCode !== null) throw new Error(`sipp uas exited with ${sipp.exitCode}`);
    return sipp;
  }
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', serverScript, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`uas-server exited with ${code}`)));
  });
  return child;
}

async function once(): Promise<void> {
  const port = await freePort();
  const server = await startServer(port);
  const pid = server.pid as number;
  try {
    // The same warm-up as the sip-uas bench, then let its transactions expire.
    await runSipp({
      builtin: 'uac',
      target: `127.0.0.1:${port}`,
      maxCalls: 400,
      rate: 200,
      limit: 200,
      timeoutMs: 25_000,
      extraArgs: BUFFER_ARGS,
    }).done;
    const start = cpuMs(pid);
    const threadsAtStart = threadCpuMs(pid);
    const calls = rate * seconds;
    const result = await runSipp({
      builtin: 'uac',
      target: `127.0.0.1:${port}`,
      maxCalls: calls,
      rate,
      limit: Math.max(200, rate * 2),
      timeoutMs: (seconds + 20) * 1000,
      extraArgs: BUFFER_ARGS,
    }).done;
    const afterCalls = cpuMs(pid);
    await new Promise((r) => setTimeout(r, lingerSeconds * 1000));
    const afterLinger = cpuMs(pid);
    const threads = threadCpuMs(pid);
    const perCall = (ms: number): number => Math.round((ms * 1000) / calls);
    process.stdout.write(
      JSON.stringify({
        subject,
        rate,
        calls,
        successful: result.successfulCalls,
        failed: result.failedCalls,
        retransmissions: result.retransmissions,
        cpu_us_per_call: perCall(afterLinger - start),
        calls_phase_us_per_call: perCall(afterCalls - start),
        linger_phase_us_per_call: perCall(afterLinger - afterCalls),
        main_thread_us_per_call: perCall(threads.main - threadsAtStart.main),
        other_threads_us_per_call: perCall(threads.others - threadsAtStart.others),
      }) + '\n',
    );
  } finally {
    // SIGTERM lets the server close (and write a --cpu-prof profile).
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    server.kill('SIGKILL');
  }
}

for (let i = 0; i < runs; i++) await once();
