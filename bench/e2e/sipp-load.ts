// e2e-calls: one SIPp run that keeps what `runSipp` (@svpn/test-support) throws away with its temp dir —
// the per-call response times of `-trace_rtt` — so INVITE-to-200 percentiles are exact, not read from
// SIPp's repartition buckets. Every run is bounded by `-m` and a timeout, and targets loopback only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of one SIPp run. */
export interface SippLoadOptions {
  scenarioFile: string;
  /** `host:port` of the gateway (UAC side); omitted for a UAS. */
  target?: string;
  localPort: number;
  /** @defaultValue 'u1' */
  transport?: 'u1' | 't1';
  maxCalls: number;
  /** Calls per second (`-r`). @defaultValue 10 */
  rate?: number;
  /** Most calls open at once (`-l`). */
  limit?: number;
  service: string;
  authUser?: string;
  authPassword?: string;
  keys?: Record<string, string>;
  /** Whole-run limit; SIPp is killed 5 s after it. */
  timeoutMs: number;
  extraArgs?: string[];
}

/** What a run ended with. */
export interface SippLoadResult {
  exitCode: number | null;
  successfulCalls: number;
  failedCalls: number;
  retransmissions: number;
  elapsedSeconds: number;
  /** Response times (ms) of response-time counter 1, one per call that reached it, in call order. */
  responseTimesMs: number[];
  /** The first lines of SIPp's error log, for diagnosis. */
  errors: string;
  /** Why calls failed, as SIPp logged them: `<status> <Warning text>` (or SIPp's own reason) → count. */
  failureReasons: Record<string, number>;
}

/** A running SIPp; `stop()` asks it to end (SIGUSR1: stop placing calls, finish, exit). */
export interface SippLoadRun {
  done: Promise<SippLoadResult>;
  stop(): void;
  kill(): void;
}

/** Starts SIPp with its statistics, error and response-time traces in a private temp dir. */
export function runSippLoad(o: SippLoadOptions): SippLoadRun {
  const dir = mkdtempSync(join(tmpdir(), 'svpn-e2e-sipp-'));
  const args = ['-sf', o.scenarioFile];
  if (o.target) args.push(o.target);
  args.push('-i', '127.0.0.1', '-p', String(o.localPort), '-t', o.transport ?? 'u1');
  args.push('-m', String(o.maxCalls), '-r', String(o.rate ?? 10), '-rp', '1000');
  if (o.limit !== undefined) args.push('-l', String(o.limit));
  args.push('-s', o.service);
  if (o.authUser) args.push('-au', o.authUser);
  if (o.authPassword) args.push('-ap', o.authPassword);
  for (const [k, v] of Object.entries(o.keys ?? {})) args.push('-key', k, v);
  args.push('-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1');
  args.push('-trace_err', '-error_file', join(dir, 'errors.log'));
  args.push('-trace_rtt', '-rtt_freq', '1');
  args.push('-nostdin', '-timeout_error', '-timeout', `${Math.ceil(o.timeoutMs / 1000)}s`);
  args.push(...(o.extraArgs ?? []));
  const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore' });
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs + 5_000);
  const done = new Promise<SippLoadResult>((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`cannot run sipp (install the sip-tester package): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(killer);
      try {
        const stats = lastStatRow(join(dir, 'stat.csv'));
        const num = (k: string): number => Number(stats[k] ?? 0) || 0;
        const errorFile = join(dir, 'errors.log');
        resolve({
          exitCode: code,
          successfulCalls: num('SuccessfulCall(C)'),
          failedCalls: num('FailedCall(C)'),
          retransmissions: num('Retransmissions(C)'),
          elapsedSeconds: parseElapsed(stats['ElapsedTime(C)']),
          responseTimesMs: readResponseTimes(dir),
          errors: existsSync(errorFile) ? readFileSync(errorFile, 'utf8').slice(0, 4_000) : '',
          failureReasons: existsSync(errorFile) ? summarizeFailures(readFileSync(errorFile, 'utf8')) : {},
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  return {
    done,
    stop: () => child.kill('SIGUSR1'),
    kill: () => child.kill('SIGKILL'),
  };
}

/** `-trace_rtt` rows are `Date_ms;response_time_ms;rtd_no`; keeps counter 1. */
export function parseRttCsv(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const [, ms, rtd] = line.split(';');
    if (rtd?.trim() !== '1') continue;
    const value = Number(ms);
    if (Number.isFinite(value)) out.push(value);
  }
  return out;
}

/**
 * Counts the reasons in a SIPp error log: an unexpected response is named by its status and Warning
 * text (`503 no capacity: …`, first 80 characters), any other abort by SIPp's message up to the Call-ID.
 */
export function summarizeFailures(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (reason: string): void => {
    out[reason] = (out[reason] ?? 0) + 1;
  };
  // Entries follow one another (SIPp separates them by the next timestamp, not always a newline).
  const entries = log.split(/(?=\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\.\d+\t)/);
  for (const entry of entries) {
    const aborted = /Aborting call on (.*?) for Call-I[dD]/.exec(entry);
    if (!aborted) continue;
    const status = /received 'SIP\/2\.0 (\d{3})/.exec(entry)?.[1];
    if (status === undefined) {
      add((aborted[1] ?? '').slice(0, 80));
      continue;
    }
    const warning = /^Warning: \d{3} \S+ "([^"\n]*)"/m.exec(entry)?.[1] ?? '';
    // Session ids and numbers vary per call: the reason is what is left.
    const reason = warning.replace(/\bs-[0-9a-f]+/g, 's-…').replace(/\d{3,}/g, 'N');
    add(`${status} ${reason.slice(0, 100)}`.trim());
  }
  return out;
}

function readResponseTimes(dir: string): number[] {
  const file = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  return file ? parseRttCsv(readFileSync(join(dir, file), 'utf8')) : [];
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
