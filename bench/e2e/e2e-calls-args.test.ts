import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './e2e-calls.bench.js';

test('e2e-calls: defaults bisect twice and warm up with 1000 calls at 100 calls/s', () => {
  const a = parseArgs([]);
  assert.equal(a.bisections, 2);
  assert.equal(a.warmupCalls, 1000);
  assert.equal(a.warmupRate, 100);
  assert.equal(a.heapSampleDir, undefined);
});

test('e2e-calls: --bisections and --warmup-calls may be 0, the warm-up rate may not', () => {
  const a = parseArgs(['--bisections=0', '--warmup-calls=0', '--warmup-rate=40', '--heap-sample=/tmp/h']);
  assert.equal(a.bisections, 0);
  assert.equal(a.warmupCalls, 0);
  assert.equal(a.warmupRate, 40);
  assert.equal(a.heapSampleDir, '/tmp/h');
  assert.throws(() => parseArgs(['--warmup-rate=0']), /invalid argument --warmup-rate=0/);
  assert.throws(() => parseArgs(['--seconds=0']), /invalid argument --seconds=0/);
  assert.throws(() => parseArgs(['--heap-sample']), /invalid argument --heap-sample/);
  assert.throws(() => parseArgs(['--bisection=2']), /unknown or invalid argument/);
});
