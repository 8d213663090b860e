import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options for one SIPp run. Every run is bounded by `maxCalls` and `timeoutMs`. */
export interface SippRunOptions {
  /** A scenario XML file (`-sf`) or a built-in scenario name (`-sn uac`, `uas`, …). */
  scenarioFile?: string;
  builtin?: string;
  /** Remote target `host:port` (UAC side). */
  target?: string;
  /** Local address and port SIPp binds. @defaultValue 127.0.0.1, any free port chosen by SIPp */
  localAddress?: string;
  localPort?: number;
  /** `u1` (UDP, one socket), `t1` (TCP, one connection), … @defaultValue 'u1' */
  transport?: 'u1' | 'un' | 't1' | 'tn' | 'l1';
  /** Total calls before SIPp stops (`-m`). */
  maxCalls?: number;
  /** Calls per second (`-r`). @defaultValue 10 */
  rate?: number;
  /** Rate period in ms (`-rp`). @defaultValue 1000 */
  ratePeriodMs?: number;
  /** Max simultaneous calls (`-l`). */
  limit?: number;
  /** Percentage of packets SIPp drops on purpose (`-lost`). */
  lostPercent?: number;
  /** Scenario variables: `-key name value` and `-s service` (the user part of the Request-URI). */
  keys?: Record<string, string>;
  service?: string;
  /** `-au` / `-ap` for `[authentication]` in scenarios. */
  authUser?: string;
  authPassword?: string;
  /** Whole-run limit; SIPp is killed after it. @defaultValue 30000 */
  timeoutMs?: number;
  /** Further raw arguments. */
  extraArgs?: string[];
  /** Called once SIPp has started (e.g. to wait for a UAS to bind before the peer starts). */
  signal?: AbortSignal;
}

/** What a SIPp run ended with: its exit code and the final counters of its statistics file. */
export interface SippResult {
  exitCode: number | null;
  successfulCalls: number;
  failedCalls: number;
  retransmissions: number;
  outOfCallMessages: number;
  deadCallMessages: number;
  unexpectedMessages: number;
  timeoutsOnRecv: number;
  maxUdpRetransFailures: number;
  elapsedSeconds: number;
  stats: Record<string, string>;
  stderr: string;
  errors: string;
}

/** SIPp exit codes (sipp(1)): 0 all calls succeeded, 1 some failed, 97/99 stopped without failures. */
export const SIPP_ALL_OK = 0;

/**
 * Runs SIPp once and resolves when it exits (or after `timeoutMs`, when it is killed).
 * Statistics come from `-trace_stat` (the cumulative "(C)" columns of the last CSV row).
 */
export function runSipp(options: SippRunOptions): { done: Promise<SippResult>; stop(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'svpn-sipp-'));
  const statFile = join(dir, 'stat.csv');
  const errorFile = join(dir, 'errors.log');
  const args: string[] = [];
  if (options.scenarioFile) args.push('-sf', options.scenarioFile);
  else args.push('-sn', options.builtin ?? 'uac');
  if (options.target) args.push(options.target);
  args.push('-i', options.localAddress ?? '127.0.0.1');
  if (options.localPort !== undefined) args.push('-p', String(options.localPort));
  args.push('-t', options.transport ?? 'u1');
  if (options.maxCalls !== undefined) args.push('-m', String(options.maxCalls));
  args.push('-r', String(options.rate ?? 10), '-rp', String(options.ratePeriodMs ?? 1000));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  if (options.lostPercent !== undefined) args.push('-lost', String(options.lostPercent));
  if (options.service) args.push('-s', options.service);
  if (options.authUser) args.push('-au', options.authUser);
  if (options.authPassword) args.push('-ap', options.authPassword);
  for (const [k, v] of Object.entries(options.keys ?? {})) args.push('-key', k, v);
  args.push('-trace_stat', '-stf', statFile, '-fd', '1', '-trace_err', '-error_file', errorFile);
  args.push('-nostdin', '-timeout_error', '-timeout', `${Math.ceil((options.timeoutMs ?? 30_000) / 1000)}s`);
  args.push(...(options.extraArgs ?? []));

  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 65_536) stderr += d.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), (options.timeoutMs ?? 30_000) + 5_000);
  const done = new Promise<SippResult>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(killer);
      reject(new Error(`cannot run sipp (is the sip-tester package installed?): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(killer);
      const stats = lastStatRow(statFile);
      const num = (k: string): number => Number(stats[k] ?? 0) || 0;
      const result: SippResult = {
        exitCode: code,
        successfulCalls: num('SuccessfulCall(C)'),
        failedCalls: num('FailedCall(C)'),
        retransmissions: num('Retransmissions(C)'),
        outOfCallMessages: num('OutOfCallMsgs(C)'),
        deadCallMessages: num('DeadCallMsgs(C)'),
        unexpectedMessages: num('FailedUnexpectedMessage(C)'),
        timeoutsOnRecv: num('FailedTimeoutOnRecv(C)'),
        maxUdpRetransFailures: num('FailedMaxUDPRetrans(C)'),
        elapsedSeconds: parseElapsed(stats['ElapsedTime(C)']),
        stats,
        stderr,
        errors: readHead(errorFile, 65_536),
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
  return { done, stop: () => child.kill('SIGUSR1') };
}

/**
 * The first `bytes` of a file ('' when it is missing), without reading the rest: SIPp's error file
 * grows by every unexpected message, past what one string can hold in a run that collapses.
 */
export function readHead(file: string, bytes: number): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function lastStatRow(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines[lines.length - 1]?.split(';') ?? []) : [];
  const row: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name) row[name] = last[i] ?? '';
  });
  return row;
}

function parseElapsed(value: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+)(?::(\d+))?/.exec(value ?? '');
  if (!m) return 0;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 1e6;
}
