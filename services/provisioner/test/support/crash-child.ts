/**
 * A provisioner process (Provisioner API + PE workers, no reconciler) for the crash tests: it
 * advertises the demo memberships, then provisions session `s1` with a PE that takes
 * `ADD_LATENCY_MS` to add UNI sessions — so the parent can SIGKILL it mid-setup, after the LSP is
 * signalled and while `uni.add-session` is running.
 */
import { Harness, sessionIntent } from './harness.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const harness = await Harness.start({
  redisUrl: env('REDIS_URL'),
  name: env('NAME'),
  simulator: { latency: { 'uni.add-session': Number(env('ADD_LATENCY_MS')) } },
  peDeadlineMs: 60_000,
  lockDurationMs: Number(env('LOCK_MS')),
  stalledIntervalMs: 500,
  deadlineMs: Number(env('DEADLINE_MS')),
});
await harness.advertiseMemberships();
process.stdout.write('provisioning\n');
await harness.provisioner.provisionSession(sessionIntent('s1'));
process.stdout.write('done\n');
