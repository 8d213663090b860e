import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ID_PATTERN, parseSla, PolicyDataInvalidError } from '@svpn/policy';
import {
  PRECEDENCE_CHOICES,
  SERVICE_CLASS_CHOICES,
  SLA_ID_PATTERN,
  slaPutBody,
  slaToForm,
  validateSlaForm,
  type Sla,
  type SlaFormValues,
} from '../../../src/app/model/sla-form.js';

const demo = JSON.parse(
  readFileSync(new URL('../../../../../deploy/demo/policy-data.json', import.meta.url), 'utf8'),
) as { slas: Sla[] };
const acme = demo.slas.find((s) => s.id === 'acme-storage')!;

function form(overrides: Partial<SlaFormValues> = {}): SlaFormValues {
  return { ...slaToForm(acme), ...overrides };
}

function problemsOf(values: SlaFormValues): Record<string, string[]> {
  const result = validateSlaForm(values);
  assert.equal(result.ok, false, 'expected problems');
  const out: Record<string, string[]> = {};
  if (!result.ok) for (const p of result.problems) (out[p.field] ??= []).push(p.message);
  return out;
}

test('the id pattern is the policy model’s', () => {
  assert.equal(SLA_ID_PATTERN, ID_PATTERN);
});

test('every demo SLA goes through the form and back unchanged', () => {
  for (const sla of demo.slas) {
    const result = validateSlaForm(slaToForm(sla));
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.sla, sla);
  }
});

test('the form shows rates with prefixes', () => {
  const f = slaToForm(acme);
  assert.equal(f.maxSessionBps, '1G');
  assert.equal(f.maxTotalBps, '2G');
  assert.equal(f.minBps, '100M');
  assert.equal(f.maxDurationS, '86400');
});

test('an edited limit is parsed from what the operator typed', () => {
  const result = validateSlaForm(form({ maxSessionBps: '500 Mbit/s', maxSessions: '12', maxDurationS: '' }));
  assert.ok(result.ok);
  assert.equal(result.sla.maxSessionBps, 500_000_000);
  assert.equal(result.sla.maxSessions, 12);
  assert.equal(result.sla.maxDurationS, undefined, 'empty: no limit');
});

test('every broken field is reported next to its field, all at once', () => {
  const p = problemsOf(
    form({
      maxSessionBps: 'fast',
      maxTotalBps: '0',
      maxSessions: '1.5',
      serviceClasses: [],
      maxPrecedence: 'dsn.urgent',
      maxDurationS: '-3',
      chargingProfile: 'Acme Storage',
      description: 'x'.repeat(201),
    }),
  );
  assert.deepEqual(Object.keys(p).sort(), [
    'chargingProfile',
    'description',
    'maxDurationS',
    'maxPrecedence',
    'maxSessionBps',
    'maxSessions',
    'maxTotalBps',
    'serviceClasses',
  ]);
  assert.match(p['maxPrecedence']![0]!, /urgent/);
});

test('checkSla rules: a session may not exceed the total; the shrink floor may not exceed a session', () => {
  assert.deepEqual(Object.keys(problemsOf(form({ maxSessionBps: '3G' }))), ['maxSessionBps']);
  assert.deepEqual(Object.keys(problemsOf(form({ minBps: '2G', maxTotalBps: '4G' }))), ['minBps']);
});

test('unknown or repeated service classes are refused', () => {
  assert.ok(problemsOf(form({ serviceClasses: ['telepathy'] }))['serviceClasses']);
  assert.ok(problemsOf(form({ serviceClasses: ['standard', 'standard'] }))['serviceClasses']);
});

test('the PUT body is the SLA without its id (the id is the path)', () => {
  const body = slaPutBody(acme);
  assert.equal('id' in body, false);
  assert.equal(body.maxTotalBps, acme.maxTotalBps);
});

test('whatever the form accepts, the policy model accepts too', () => {
  const rate = fc.oneof(
    fc.integer({ min: 1, max: 10 ** 11 }).map(String),
    fc.integer({ min: 1, max: 999 }).chain((n) => fc.constantFrom(`${n}k`, `${n}M`, `${n}G`)),
    fc.constantFrom('', '0', 'x', '1.5', '-1'),
  );
  const values = fc.record({
    id: fc.constantFrom('acme-storage', 'x', 'Bad Id', '-lead'),
    description: fc.string({ maxLength: 210 }),
    maxSessionBps: rate,
    maxTotalBps: rate,
    maxSessions: fc.constantFrom('1', '10', '0', 'many', '2.5'),
    serviceClasses: fc.subarray([...SERVICE_CLASS_CHOICES, 'bogus']),
    maxPrecedence: fc.constantFrom(...PRECEDENCE_CHOICES, 'dsn.nope', 'x.y'),
    maxDurationS: fc.constantFrom('', '60', '0', 'soon'),
    mayShrink: fc.boolean(),
    minBps: fc.oneof(fc.constant(''), rate),
    chargingProfile: fc.constantFrom('acme-storage', 'Bad'),
    timeWindows: fc.constant([] as SlaFormValues['timeWindows']),
  });
  fc.assert(
    fc.property(values, (v) => {
      const result = validateSlaForm(v);
      if (!result.ok) return;
      try {
        parseSla(result.sla);
      } catch (error) {
        assert.fail(
          `the form accepted what the policy refuses: ${(error as PolicyDataInvalidError).message}`,
        );
      }
    }),
    { numRuns: 300 },
  );
});

test('problems come in the order the form shows its fields (the first one gets the focus)', () => {
  const result = validateSlaForm(form({ maxSessions: 'lots', maxSessionBps: '5G', chargingProfile: 'X' }));
  assert.equal(result.ok, false);
  if (!result.ok)
    assert.deepEqual(
      result.problems.map((p) => p.field),
      ['maxSessionBps', 'maxSessions', 'chargingProfile'],
    );
});
