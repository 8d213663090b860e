/**
 * A whole svpn on loopback for the dashboard's end-to-end test, wired exactly as `svpn up` wires it
 * (`startSystem` of services/cli): a private redis-server, policy with the demo data, provisioner
 * with pe-sim, charging, the SIP gateway and the API service serving the built dashboard, with the
 * demo operator key written to a temporary file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@svpn/service-kit';
import { freePort, freePortRange, startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { startSystem, type RunningSystem } from '../../../services/cli/src/system.js';

export interface SvpnUnderTest {
  system: RunningSystem;
  /** The API service (REST, operator API, dashboard at `/`). */
  apiUrl: string;
  operatorKey: string;
  stop(): Promise<void>;
}

export async function startSvpn(): Promise<SvpnUnderTest> {
  const redis: RedisServerHandle = await startRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'svpn-dashboard-e2e-'));
  const operatorKeyFile = join(dir, 'operator-key');
  let system: RunningSystem;
  try {
    system = await startSystem({
      redisUrl: redis.url,
      sipAddress: '127.0.0.1',
      sipPort: await freePort(),
      httpAddress: '127.0.0.1',
      httpPort: await freePortRange(5),
      demo: true,
      // SIPp answers only the first challenge and knows only MD5 (RFC 8760 allows any order).
      gatewayOverrides: { digestAlgorithms: 'MD5,SHA-256' },
      operatorKeyFile,
      log: silentLogger(),
    });
  } catch (error) {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const operatorKey = (await readFile(operatorKeyFile, 'utf8')).trim();
  return {
    system,
    apiUrl: system.urls.api,
    operatorKey,
    async stop() {
      await system.stop();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
