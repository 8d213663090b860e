// The CI-sized fuzz run: the same loop as `npm run fuzz`, 5 000 cases of a fixed seed, failing on
// any broken invariant. A failure message carries the reproduction command and the input's hex.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MUTATIONS } from './mutator.js';
import { type FuzzSummary, runFuzz } from './run-fuzz.js';
import { startWatchdog } from './watchdog.js';

const CASES = 5000;
const SEED = 4475;

function describeFailures(summary: FuzzSummary): string {
  return summary.failures
    .slice(0, 5)
    .map(
      (f) =>
        `case ${f.index} (${f.base}; ${f.ops.join(', ')}): ` +
        f.violations.map((v) => `[${v.invariant}/${v.path}] ${v.detail}`).join('; ') +
        `\n  ${f.reproduce}\n  hex: ${f.hex.slice(0, 400)}`,
    )
    .join('\n');
}

describe(`fuzz: ${CASES} mutated cases of seed ${SEED}`, () => {
  // A hang inside a case never returns to the test runner: the watchdog names it and ends the run.
  const watchdog = startWatchdog({ seed: SEED, stallMs: 30_000 });
  after(() => watchdog.stop());

  // CI machines are shared: a per-case CPU limit of 250 ms still catches hangs and super-linear paths
  // without failing on a descheduled cold parse (`npm run fuzz` keeps the strict 50 ms).
  const summary = runFuzz({
    cases: CASES,
    seed: SEED,
    heartbeat: watchdog.heartbeat,
    checkpointEvery: 500,
    caseTimeLimitMs: 250,
  });

  test('no case breaks an invariant', () => {
    assert.equal(summary.failed, 0, `${summary.failed} failing cases:\n${describeFailures(summary)}`);
    assert.equal(summary.passed, CASES);
  });

  test('the run exercised every path it checks', () => {
    const { requests, outcomes } = summary;
    assert.ok(requests.delivered > 100, `delivered ${requests.delivered}`);
    for (const status of ['400', '405', '415', '416', '420', '501', '505']) {
      assert.ok((requests.answered[status] ?? 0) > 0, `no request answered ${status}`);
    }
    assert.ok(requests.droppedAck > 0 && requests.droppedNoUsableVia > 0);
    assert.equal(requests.droppedOther, 0);
    for (const outcome of [
      'udp:deliver:response',
      'udp:drop:response',
      'tcp:deliver:request',
      'tcp:respond:400',
      'tcp:framing-error:invalid-content-length',
      'tcp:framing-error:missing-content-length',
      'tcp:incomplete',
    ]) {
      assert.ok((outcomes[outcome] ?? 0) > 0, `never saw ${outcome}`);
    }
    for (const op of MUTATIONS)
      assert.ok((summary.operators[op.name] ?? 0) > 0, `operator ${op.name} unused`);
  });

  test('the heap after GC stayed within the bound at every checkpoint', () => {
    assert.equal(summary.heap.checkpointsMiB.length, CASES / 500);
    assert.ok(summary.heap.peakGrowthMiB <= summary.heap.boundMiB, JSON.stringify(summary.heap));
  });
});
