/**
 * A whole svpn on loopback for gateway tests: a private redis-server, the policy engine seeded with
 * the demo data, the provisioner with pe-sim, the charging service, and one gateway (a second one,
 * a peer admitting through the first, on request) — the same wiring as `svpn up`.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { loadConfig } from '@svpn/service-kit';
import { silentLogger } from '@svpn/service-kit';
import { KeySpace, RedisPolicyStore } from '@svpn/store';
import { createPolicyClient, seedDemoData } from '@svpn/policy-service';
import {
  ConfigSchema as ProvisionerConfigSchema,
  startProvisioner,
  type Provisioner,
  type ProvisionerService,
} from '@svpn/provisioner-service';
import {
  ConfigSchema as ChargingConfigSchema,
  PeSimMeterReader,
  startChargingService,
  type ChargingService,
} from '@svpn/charging-service';
import { PeSimulator, type OperationKind } from '@svpn/pe-sim';
import { parseTopology } from '@svpn/te';
import { freePort, startRedisServer, tearDown, type RedisServerHandle } from '@svpn/test-support';
import { SipAgent, type SipResponse } from '@svpn/sip';
import { ConfigSchema, DEMO_TOPOLOGY_FILE, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/start-gateway.js';
import type { MeterPort, PolicyPort, ProvisioningPort } from '../../src/ports.js';
import { provisionerPort } from '../../src/provisioning-port.js';

export interface HarnessOptions {
  /** Latency pe-sim adds per operation kind, ms (e.g. to CANCEL during provisioning). */
  peLatencyMs?: Partial<Record<OperationKind, number>>;
  /** Run the provisioner's workers and reconciler in this process. @defaultValue true */
  provisioner?: boolean;
  /** Provisioner configuration overrides (deadlines, reconcile interval, …). */
  provisionerConfig?: Record<string, unknown>;
}

export interface Harness {
  redisServer: RedisServerHandle;
  redis: Redis;
  policy: PolicyPort;
  /** The in-process provisioner API (its workers and reconciler only unless `provisioner: false`). */
  provisioner: ProvisionerService;
  /** Read access to the simulated network (LSPs, UNI sessions, labels, VRFs, counters). */
  peSim: PeSimulator;
  provisioning: ProvisioningPort;
  meter: MeterPort;
  charging: ChargingService;
  gateway: Gateway;
  config: Config;
  /** A second gateway in another domain, admitting through this one's leader API (seed 001 Fig. 2). */
  startPeer(domain: string, overrides?: Partial<Config>): Promise<Gateway>;
  stop(): Promise<void>;
}

/** The provisioning port over a Provisioner API (as `svpn up` wires it), looked up on each call (tests replace it). */
export function provisioningPortOf(p: () => Provisioner): ProvisioningPort {
  return {
    provision: (intent) => provisionerPort(p()).provision(intent),
    release: (sessionId, options) => provisionerPort(p()).release(sessionId, options),
    advertiseMembership: (intent) => provisionerPort(p()).advertiseMembership(intent),
    withdrawMembership: (key) => provisionerPort(p()).withdrawMembership!(key),
  };
}

export async function startHarness(
  overrides: Partial<Config> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const keys = new KeySpace('svpn');
  const store = new RedisPolicyStore(redis, { keys });
  await seedDemoData(store);
  const policy = createPolicyClient(store);
  const topology = parseTopology(readFileSync(DEMO_TOPOLOGY_FILE, 'utf8'));
  const provisionerConfig = loadConfig(
    ProvisionerConfigSchema,
    {},
    {
      redisUrl: redisServer.url,
      topologyFile: DEMO_TOPOLOGY_FILE,
      ...(options.provisioner === false ? { runWorkers: false, runReconciler: false } : {}),
      ...options.provisionerConfig,
    },
  );
  const provisioner = await startProvisioner(provisionerConfig, {
    redis,
    log: silentLogger(),
    ...(options.peLatencyMs === undefined ? {} : { simulator: { latency: options.peLatencyMs } }),
  });
  // Read-only view of the simulated network, as the charging meter has it (the provisioner owns it).
  const peSim = new PeSimulator({ redis, topology });
  const reader = new PeSimMeterReader(peSim);
  const meter: MeterPort = {
    readBytes: (pe, peSessionId, at) => reader.readBytes({ pe, peSessionId, endAt: at }),
  };
  const provisioning = provisioningPortOf(() => provisioner.provisioner);
  const charging = await startChargingService(
    loadConfig(
      ChargingConfigSchema,
      {},
      { redisUrl: redisServer.url, topologyFile: DEMO_TOPOLOGY_FILE, blockMs: 50, claimIdleMs: 1000 },
    ),
    { log: silentLogger(), listen: false },
  );
  const port = await freePort();
  const config = loadConfig(
    ConfigSchema,
    {},
    { sipPort: port, httpPort: 0, redisUrl: redisServer.url, t1Ms: 100, ...overrides },
  );
  const gateway = await startGateway(config, { redis, policy, provisioning, meter, log: silentLogger() });
  const peers: Gateway[] = [];
  return {
    redisServer,
    redis,
    policy,
    provisioner,
    peSim,
    provisioning,
    meter,
    charging,
    gateway,
    config,
    async startPeer(domain, peerOverrides = {}) {
      const peerPort = await freePort();
      const peerConfig = loadConfig(
        ConfigSchema,
        {},
        {
          ...config,
          domain,
          realm: config.realm ?? config.domain,
          gatewayId: `gw-${domain}`,
          sipPort: peerPort,
          httpPort: 0,
          admissionUrl: `http://127.0.0.1:${gateway.httpAddress.port}`,
          ...peerOverrides,
        },
      );
      const peer = await startGateway(peerConfig, {
        redis,
        policy,
        provisioning,
        meter,
        log: silentLogger(),
      });
      peers.push(peer);
      return peer;
    },
    stop: () =>
      tearDown([
        ...peers.map((peer) => [`peer gateway ${peer.sipAddress.port}`, () => peer.stop()] as const),
        ['gateway', () => gateway.stop()],
        ['charging', () => charging.stop()],
        ['provisioner', () => provisioner.stop()],
        ['store', () => store.close()],
        ['redis client', () => redis.disconnect()],
        ['redis-server', () => redisServer.stop()],
      ]),
  };
}

/** A SIP application (the far end of a VPN tunnel) with its own agent on loopback. */
export interface TestApplication {
  agent: SipAgent;
  name: string;
  password: string;
  register(ce: string, vpnId: string): Promise<SipResponse>;
  stop(): Promise<void>;
}

export async function startApplication(
  name: string,
  password: string,
  gateway: Gateway,
): Promise<TestApplication> {
  const agent = await SipAgent.listen({
    listen: { udp: [{ address: '127.0.0.1', port: 0 }] },
    T1: 100,
    contactUser: name,
  });
  const gw = `127.0.0.1:${gateway.sipAddress.port}`;
  return {
    agent,
    name,
    password,
    register(ce, vpnId) {
      const contact = agent.stack.contactUri(name);
      return agent.request(`sip:${gw}`, {
        method: 'REGISTER',
        from: `sip:${name}@svpn.example.net`,
        to: `sip:${name}@svpn.example.net`,
        headers: { Contact: `<${contact}>;+svpn.vpn-id="${vpnId}";+svpn.ce="${ce}"`, Expires: '600' },
        auth: { username: name, password },
      });
    },
    stop: () => agent.close(),
  };
}

/** The DESIGN §2 offer an application sends. */
export function vpnOffer(options: {
  vpnId: string;
  kbps: number;
  serviceClass?: string;
  extra?: string[];
}): string {
  return [
    'v=0',
    'o=app 1 1 IN IP4 198.51.100.7',
    's=-',
    'c=IN IP4 198.51.100.7',
    't=0 0',
    'm=application 9000 TCP svpn-data',
    `b=AS:${options.kbps}`,
    `a=svpn-vpn-id:${options.vpnId}`,
    `a=svpn-qos:${options.serviceClass ?? 'high-throughput-data'}`,
    ...(options.extra ?? []),
    '',
  ].join('\r\n');
}
