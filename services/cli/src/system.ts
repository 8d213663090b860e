/**
 * The whole svpn in one process (`svpn up`, DESIGN §3 "the embedded default"): policy,
 * provisioner (with pe-sim), charging and the SIP gateway, sharing one Redis. They talk only
 * through Redis and the same client interfaces a scaled deployment uses over HTTP.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { connectRedis, loadConfig, pingRedis, type Logger } from '@svpn/service-kit';
import { ConfigSchema as PolicyConfig, startPolicyService, type PolicyService } from '@svpn/policy-service';
import {
  ConfigSchema as ProvisionerConfig,
  PeWorkerThread,
  startProvisioner,
  withoutPeProcessing,
  type ProvisionerService,
} from '@svpn/provisioner-service';
import {
  ConfigSchema as ChargingConfig,
  PeSimMeterReader,
  startChargingService,
} from '@svpn/charging-service';
import { PeSimulator } from '@svpn/pe-sim';
import { parseTopology } from '@svpn/te';
import { readFileSync } from 'node:fs';
import {
  ConfigSchema as GatewayConfig,
  DEMO_TOPOLOGY_FILE,
  provisionerPort,
  startGateway,
  type Gateway,
  type ProvisioningPort,
} from '@svpn/sip-gateway-service';
import { ConfigSchema as ApiConfig, startApiService, type ApiService } from '@svpn/api-service';
import { ensureDashboardBuilt } from '@svpn/dashboard';

export interface SystemOptions {
  redisUrl: string;
  sipAddress: string;
  sipPort: number;
  httpAddress: string;
  /** The gateway's HTTP port; policy, provisioner, charging and the API take the next four. */
  httpPort: number;
  demo: boolean;
  keyPrefix?: string;
  topologyFile?: string;
  /**
   * Further gateway configuration fields (e.g. `{ digestAlgorithms: 'MD5,SHA-256' }` for peers that
   * answer only an MD5 challenge, such as SIPp). @defaultValue none
   */
  gatewayOverrides?: Record<string, unknown>;
  /**
   * Further provisioner configuration fields, e.g. `{ runWorkers: false, runReconciler: false }` when
   * `svpn run provisioner` processes elsewhere run the PE workers (a scaled deployment). @defaultValue none
   */
  provisionerOverrides?: Record<string, unknown>;
  /** Where `svpn up` writes the demo operator API key (mode 0600). @defaultValue none written */
  operatorKeyFile?: string;
  /**
   * Where the provisioner's PE workers and reconciler run: in a worker thread with its own event loop
   * and heap (`thread`), so PE jobs do not delay SIP handling, or on the main thread (`inline`).
   * @defaultValue 'thread'
   */
  peWorkers?: 'thread' | 'inline';
  log: Logger;
  /** The file descriptor of the PE worker thread's JSON logs (the main thread's go where `log` writes). @defaultValue 1 */
  threadLogFd?: number;
}

export interface RunningSystem {
  redis: Redis;
  gateway: Gateway;
  policy: PolicyService;
  provisioner: ProvisionerService;
  api: ApiService;
  urls: { gateway: string; policy: string; provisioner: string; charging: string; api: string };
  sip: { address: string; port: number };
  stop(): Promise<void>;
}

/** Turns the provisioner's API into the gateway's provisioning port (same process). */
export function provisioningPort(service: ProvisionerService): ProvisioningPort {
  return provisionerPort(service.provisioner);
}

export async function startSystem(o: SystemOptions): Promise<RunningSystem> {
  const redis = connectRedis(o.redisUrl);
  // Fail fast with a clear message instead of retrying forever against a Redis that is not there.
  const unreachable = new Promise<never>((_, reject) =>
    setTimeout(
      () =>
        reject(
          new Error(
            `cannot reach Redis at ${o.redisUrl}: start it, or unset REDIS_URL / --redis-url to run a private one`,
          ),
        ),
      5000,
    ).unref(),
  );
  try {
    await Promise.race([pingRedis(redis), unreachable]);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const keyPrefix = o.keyPrefix ?? 'svpn';
  const topologyFile = resolve(o.topologyFile ?? DEMO_TOPOLOGY_FILE);
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        o.log.error({ err: error }, 'component failed to stop');
      }
    }
    redis.disconnect();
  };
  try {
    const policy = await startPolicyService(
      loadConfig(
        PolicyConfig,
        {},
        {
          httpHost: o.httpAddress,
          httpPort: o.httpPort + 1,
          redisUrl: o.redisUrl,
          keyPrefix,
          demo: o.demo,
        },
      ),
      { redis, log: o.log.child({ service: 'policy' }) },
    );
    stops.push(() => policy.stop());
    const provisionerConfig = loadConfig(
      ProvisionerConfig,
      {},
      {
        ...o.provisionerOverrides,
        httpHost: o.httpAddress,
        httpPort: o.httpPort + 2,
        redisUrl: o.redisUrl,
        keyPrefix,
        topologyFile,
      },
    );
    const provisionerLog = o.log.child({ service: 'provisioner' });
    // Stops run in reverse, so the thread's comes after the gateway's and the API's: those release
    // sessions, which takes the workers.
    const thread =
      (o.peWorkers ?? 'thread') === 'thread' &&
      (provisionerConfig.runWorkers || provisionerConfig.runReconciler)
        ? await PeWorkerThread.start({
            config: provisionerConfig,
            log: provisionerLog,
            logFd: o.threadLogFd ?? 1,
            owner: `${hostname()}:${process.pid}:provisioner`,
            // The gateway's steps wait on this thread: the workers' notices come here by the port.
            completionConnection: redis,
          })
        : undefined;
    if (thread) stops.push(() => thread.stop());
    const provisioner = await startProvisioner(
      thread ? withoutPeProcessing(provisionerConfig) : provisionerConfig,
      { redis, log: provisionerLog, ...(thread ? { elsewhere: thread } : {}) },
    );
    stops.push(() => provisioner.stop());
    await provisioner.app.listen({ host: o.httpAddress, port: o.httpPort + 2 });
    stops.push(() => provisioner.app.close());
    const charging = await startChargingService(
      loadConfig(
        ChargingConfig,
        {},
        {
          httpHost: o.httpAddress,
          httpPort: o.httpPort + 3,
          redisUrl: o.redisUrl,
          keyPrefix,
        },
      ),
      { redis, log: o.log.child({ service: 'charging' }) },
    );
    stops.push(() => charging.stop());
    // The PE byte counters the gateway reads before removing a session (charge `stop` bytes): a
    // read-only view of the simulated network the provisioner drives.
    const meter = new PeSimMeterReader(
      new PeSimulator({ redis, topology: parseTopology(readFileSync(topologyFile, 'utf8')) }),
    );
    const gateway = await startGateway(
      loadConfig(
        GatewayConfig,
        {},
        {
          ...o.gatewayOverrides,
          sipAddress: o.sipAddress,
          sipPort: o.sipPort,
          httpAddress: o.httpAddress,
          httpPort: o.httpPort,
          redisUrl: o.redisUrl,
          keyPrefix,
          topologyFile,
        },
      ),
      {
        redis,
        policy: policy.client,
        provisioning: provisioningPort(provisioner),
        meter: { readBytes: (pe, peSessionId, at) => meter.readBytes({ pe, peSessionId, endAt: at }) },
        log: o.log.child({ service: 'sip-gateway' }),
      },
    );
    stops.push(() => gateway.stop());
    const http = (port: number): string => `http://${o.httpAddress}:${port}`;
    // The northbound API (REST, SOAP, operator API, dashboard): it reaches the gateway over SIP and
    // its admission API like any client, and reads the leader's ledger in-process for the topology view.
    // The dashboard the API serves at `/`: built from its sources when dist/ is missing or stale.
    await ensureDashboardBuilt().catch((error: unknown) =>
      o.log.warn({ err: error }, 'the dashboard could not be built; the API serves a "not built" page'),
    );
    const api = await startApiService(
      loadConfig(
        ApiConfig,
        {},
        {
          httpHost: o.httpAddress,
          httpPort: o.httpPort + 4,
          redisUrl: o.redisUrl,
          keyPrefix,
          topologyFile,
          gatewaySip: `${gateway.sipAddress.address}:${gateway.sipAddress.port}`,
          gatewayUrl: http(gateway.httpAddress.port),
          policyUrl: policy.url ?? http(o.httpPort + 1),
          chargingUrl: charging.url ?? http(o.httpPort + 3),
          operatorKeyFile: o.operatorKeyFile ?? '',
        },
      ),
      {
        redis,
        policy: policy.client,
        ledger: () => gateway.admission?.ledger,
        log: o.log.child({ service: 'api' }),
      },
    );
    stops.push(() => api.stop());
    return {
      redis,
      gateway,
      policy,
      provisioner,
      api,
      urls: {
        gateway: http(gateway.httpAddress.port),
        policy: policy.url ?? http(o.httpPort + 1),
        provisioner: http(o.httpPort + 2),
        charging: charging.url ?? http(o.httpPort + 3),
        api: api.url ?? http(o.httpPort + 4),
      },
      sip: gateway.sipAddress,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
