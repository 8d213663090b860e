// e2e-calls: the system under test in its own process (so the benchmark's driver, SIPp bookkeeping and
// `--cpu-prof` see only svpn): `startSystem` — policy, provisioner with pe-sim at zero latency,
// charging and the SIP gateway — on a Redis the parent started, demo data plus the bench subscriber
// (bench-policy-data.json). Prints one line `ready <sipPort>` once it serves; stops on SIGTERM.
//
// argv: <redisUrl> <sipPort> <httpPort> [split|inline]
// By default the PE workers and the reconciler run in a worker thread of this process, as in `svpn up`.
// `split`: they run in other processes (`svpn run provisioner`), as in a scaled deployment; this process
// keeps the gateway, policy, charging, the API and the provisioner's API (it queues jobs and waits for
// them). `inline`: they run on this process's main thread, beside the gateway.
import pino from 'pino';
import { seedDemoData } from '@svpn/policy-service';
import { startSystem } from 'svpn';

const BENCH_DATA = new URL('./bench-policy-data.json', import.meta.url);

async function main(): Promise<void> {
  const [redisUrl, sipPort, httpPort, mode] = process.argv.slice(2);
  if (!redisUrl || !sipPort || !httpPort)
    throw new Error('usage: system-child <redisUrl> <sipPort> <httpPort>');
  // Logs go to stderr (stdout carries the ready line); warn by default, LOG_LEVEL overrides.
  const log = pino(
    { level: process.env['LOG_LEVEL'] ?? 'warn', base: { service: 'svpn' } },
    pino.destination(2),
  );
  const system = await startSystem({
    redisUrl,
    sipAddress: '127.0.0.1',
    sipPort: Number(sipPort),
    httpAddress: '127.0.0.1',
    httpPort: Number(httpPort),
    demo: true,
    // SIPp answers only the first challenge and only with MD5 (RFC 8760 lets the server order them).
    gatewayOverrides: { digestAlgorithms: 'MD5,SHA-256' },
    ...(mode === 'split' ? { provisionerOverrides: { runWorkers: false, runReconciler: false } } : {}),
    peWorkers: mode === 'inline' ? 'inline' : 'thread',
    log,
    threadLogFd: 2,
  });
  await seedDemoData(system.policy.store, { file: BENCH_DATA });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    void system.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`ready ${system.sip.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `system-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
