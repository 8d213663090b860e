/**
 * A provisioner (PE workers only) in its own process, for the crash test: its `uni.add-session`
 * operations are slow (pe-sim latency), so a setup is caught half-way — the LSP signalled, the UNI
 * attachments still running — when the test SIGKILLs this process.
 */
import { Redis } from 'ioredis';
import { loadConfig, silentLogger } from '@svpn/service-kit';
import { ConfigSchema, startProvisioner } from '@svpn/provisioner-service';
import { DEMO_TOPOLOGY_FILE } from '@svpn/sip-gateway-service';

const redisUrl = process.env['REDIS_URL'] ?? '';
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
await startProvisioner(
  loadConfig(
    ConfigSchema,
    {},
    {
      redisUrl,
      topologyFile: DEMO_TOPOLOGY_FILE,
      runReconciler: false,
      jobLockMs: 1000,
      stalledIntervalMs: 500,
    },
  ),
  {
    redis,
    log: silentLogger(),
    simulator: { latency: { 'uni.add-session': Number(process.env['ADD_LATENCY_MS'] ?? '60000') } },
    owner: 'crash-child',
  },
);
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
