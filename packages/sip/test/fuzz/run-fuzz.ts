/**
 * The fuzz loop: generate case `i` of seed `S`, check its invariants, time it, and watch the heap
 * at checkpoints. Shared by the `npm run fuzz` CLI and the CI-sized node:test run.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { IncomingPolicy } from '@svpn/sip';
import {
  type CaseResult,
  type Invariant,
  type Violation,
  FUZZ_POLICY,
  INVARIANTS,
  checkCase,
  startLineShape,
} from './check-case.js';
import { buildCorpus } from './corpus.js';
import { type CorpusEntry, type MutatedCase, Mutator, caseSeed } from './mutator.js';

const MiB = 1024 * 1024;

/** A full garbage collection, exposed at run time (the same as `node --expose-gc`). */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface FuzzOptions {
  /** How many cases. */
  cases: number;
  /** Run seed; case `i` is `Mutator.mutate(seed, i)`. */
  seed: number;
  /** Run only this case index (to reproduce a failure). */
  only?: number;
  /** A case whose pipeline CPU time is over this (best of three tries) fails. @defaultValue 50 */
  caseTimeLimitMs?: number;
  /** Heap growth over the baseline allowed at a checkpoint, in bytes. @defaultValue 32 MiB */
  heapBoundBytes?: number;
  /** Cases between heap checkpoints. @defaultValue max(500, cases / 20) */
  checkpointEvery?: number;
  /** @defaultValue buildCorpus() */
  corpus?: readonly CorpusEntry[];
  /** Most mutation operators stacked on one case. @defaultValue 5 */
  maxOps?: number;
  /** @defaultValue FUZZ_POLICY */
  policy?: IncomingPolicy;
  /** Failures kept with their details (all are counted). @defaultValue 20 */
  keepFailures?: number;
  /** How many of the slowest cases to report. @defaultValue 10 */
  keepSlowest?: number;
  /** Written with the index of the case about to run (for a watchdog in another thread). */
  heartbeat?: Int32Array;
  /** Called every `checkpointEvery` cases. */
  onProgress?: (done: number, total: number) => void;
}

export interface CaseReport {
  readonly index: number;
  /** The case's own seed. */
  readonly caseSeed: number;
  readonly base: string;
  readonly ops: readonly string[];
  readonly bytes: number;
  /** Time in the receive pipeline, framer and accessors (what the limit applies to). */
  readonly ms: number;
  /** Time of the whole check, oracles included. */
  readonly totalMs: number;
  /** The command that runs this case alone. */
  readonly reproduce: string;
}

export interface FailureReport extends CaseReport {
  readonly violations: readonly Violation[];
  /** The failing input, hex (whole when ≤ 16 KiB, else its first 16 KiB). */
  readonly hex: string;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  passed: number;
  failed: number;
  durationMs: number;
  casesPerSecond: number;
  megabytes: number;
  /** Cases that broke each invariant. */
  invariants: Record<Invariant, number>;
  /** How the pipeline decided, per path. */
  outcomes: Record<string, number>;
  /** Cases whose start line is a request: what happened to them on the UDP path. */
  requests: {
    total: number;
    delivered: number;
    answered: Record<string, number>;
    droppedAck: number;
    droppedNoUsableVia: number;
    /** The refusal would be larger than any datagram. */
    droppedRefusalTooLarge: number;
    /** Not checked over UDP: larger than a datagram (the TCP path still runs). */
    largerThanADatagram: number;
    droppedOther: number;
  };
  operators: Record<string, number>;
  slowest: CaseReport[];
  heap: { baselineMiB: number; peakGrowthMiB: number; boundMiB: number; checkpointsMiB: number[] };
  failures: FailureReport[];
}

const HEX_LIMIT = 16 * 1024;

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * CPU milliseconds of this process: a neighbour's load on a shared machine does not count against
 * a case, its own work (including the collection of its garbage) does.
 */
const clock = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs one case. `ms` is the time spent in the code under test on the slower path (`pipelineMs`:
 * one message through one receive pipeline), best of three when the first try is over the limit;
 * `totalMs` includes this checker's own oracles.
 */
function runCase(
  c: MutatedCase,
  policy: IncomingPolicy,
  limitMs: number,
  gc: () => void,
): { result: CaseResult; ms: number; totalMs: number } {
  let best = Number.POSITIVE_INFINITY;
  let totalMs = 0;
  let result: CaseResult | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    // A retry times each block from a collected heap: collecting the garbage of earlier cases and
    // of this checker's oracles is not the pipeline's cost.
    const t0 = clock();
    result = checkCase(c.data, {
      chunkSeed: c.seed ^ 0x5a5a5a5a,
      policy,
      clock,
      ...(attempt > 0 ? { beforeTimed: gc } : {}),
    });
    if (attempt === 0) totalMs = clock() - t0;
    best = Math.min(best, result.pipelineMs);
    // A GC pause or a busy neighbour can stretch one run; an algorithmic problem stretches all three.
    if (best <= limitMs) break;
  }
  return { result: result as CaseResult, ms: best, totalMs };
}

/** Runs the cases and returns the summary (never throws for a failing case: it is counted). */
export function runFuzz(options: FuzzOptions): FuzzSummary {
  const corpus = options.corpus ?? buildCorpus();
  const policy = options.policy ?? FUZZ_POLICY;
  const limitMs = options.caseTimeLimitMs ?? 50;
  const heapBound = options.heapBoundBytes ?? 32 * MiB;
  const keepFailures = options.keepFailures ?? 20;
  const keepSlowest = options.keepSlowest ?? 10;
  const mutator = new Mutator(corpus, options.maxOps === undefined ? {} : { maxOps: options.maxOps });
  const gc = exposeGc();

  const first = options.only ?? 0;
  const last = options.only === undefined ? options.cases : options.only + 1;
  const total = last - first;
  const checkpointEvery = options.checkpointEvery ?? Math.max(500, Math.floor(total / 20));

  const invariants = Object.fromEntries(INVARIANTS.map((i) => [i, 0])) as Record<Invariant, number>;
  const outcomes: Record<string, number> = {};
  const operators: Record<string, number> = {};
  const requests: FuzzSummary['requests'] = {
    total: 0,
    delivered: 0,
    answered: {},
    droppedAck: 0,
    droppedNoUsableVia: 0,
    droppedRefusalTooLarge: 0,
    largerThanADatagram: 0,
    droppedOther: 0,
  };
  const slowest: CaseReport[] = [];
  const failures: FailureReport[] = [];
  let failed = 0;
  let bytes = 0;

  const heapNow = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let baseline: number | undefined;
  let peakGrowth = 0;
  const checkpoints: number[] = [];

  const started = performance.now();
  for (let index = first; index < last; index++) {
    if (options.heartbeat !== undefined) Atomics.store(options.heartbeat, 0, index);
    const c = mutator.mutate(options.seed, index);
    bytes += c.data.length;
    for (const op of c.ops) operators[op] = (operators[op] ?? 0) + 1;
    const { result, ms, totalMs } = runCase(c, policy, limitMs, gc);
    const violations = [...result.violations];
    if (ms > limitMs) {
      violations.push({
        invariant: 'case-time',
        path: 'case',
        detail: `took ${round(ms)} ms (limit ${limitMs} ms)`,
      });
    }

    for (const o of result.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
    if (startLineShape(c.data).kind === 'request') {
      requests.total++;
      const udp = result.outcomes.find((o) => o.startsWith('udp:'));
      if (udp === 'udp:deliver:request') requests.delivered++;
      else if (udp?.startsWith('udp:respond:')) {
        const status = udp.slice('udp:respond:'.length);
        requests.answered[status] = (requests.answered[status] ?? 0) + 1;
      } else if (udp === 'udp:drop:ack') requests.droppedAck++;
      else if (udp === 'udp:drop:no-usable-via') requests.droppedNoUsableVia++;
      else if (udp === 'udp:drop:refusal-too-large') requests.droppedRefusalTooLarge++;
      else if (udp === 'udp:larger-than-a-datagram') requests.largerThanADatagram++;
      else requests.droppedOther++;
    }

    const report: CaseReport = {
      index,
      caseSeed: c.seed,
      base: c.base,
      ops: c.ops,
      bytes: c.data.length,
      ms: round(ms),
      totalMs: round(totalMs),
      reproduce: `npm run fuzz -- --seed ${options.seed} --only ${index}`,
    };
    if (slowest.length < keepSlowest || ms > (slowest[slowest.length - 1] as CaseReport).ms) {
      slowest.push(report);
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, keepSlowest);
    }

    const done = index - first + 1;
    const checkpoint = done % checkpointEvery === 0 || done === total;
    if (checkpoint) {
      // The heap after a full GC: a leak grows it case after case, garbage does not.
      const heap = heapNow();
      checkpoints.push(round(heap / MiB));
      if (baseline === undefined) baseline = heap;
      else {
        const growth = heap - baseline;
        peakGrowth = Math.max(peakGrowth, growth);
        if (growth > heapBound) {
          violations.push({
            invariant: 'heap-bound',
            path: 'case',
            detail: `heap ${round(heap / MiB)} MiB after GC is ${round(growth / MiB)} MiB over the baseline (bound ${round(heapBound / MiB)} MiB) after case ${index}; reproduce: npm run fuzz -- --seed ${options.seed} --cases ${index + 1}`,
          });
        }
      }
    }

    if (violations.length > 0) {
      failed++;
      for (const inv of new Set(violations.map((v) => v.invariant))) invariants[inv]++;
      if (failures.length < keepFailures) {
        failures.push({
          ...report,
          violations,
          hex: c.data.subarray(0, HEX_LIMIT).toString('hex'),
        });
      }
    }
    if (checkpoint) options.onProgress?.(done, total);
  }
  const durationMs = performance.now() - started;
  return {
    seed: options.seed,
    cases: total,
    passed: total - failed,
    failed,
    durationMs: Math.round(durationMs),
    casesPerSecond: Math.round(total / (durationMs / 1000)),
    megabytes: round(bytes / MiB),
    invariants,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))),
    requests,
    operators: Object.fromEntries(Object.entries(operators).sort(([a], [b]) => a.localeCompare(b))),
    slowest,
    heap: {
      baselineMiB: round((baseline ?? 0) / MiB),
      peakGrowthMiB: round(peakGrowth / MiB),
      boundMiB: round(heapBound / MiB),
      checkpointsMiB: checkpoints,
    },
    failures,
  };
}

/** The reproduction of one case: its bytes and seed, for a regression test. */
export function reproduceCase(
  seed: number,
  index: number,
  corpus: readonly CorpusEntry[] = buildCorpus(),
): MutatedCase {
  return new Mutator(corpus).mutate(seed, index);
}

export { caseSeed };
