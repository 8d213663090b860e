/**
 * A whole svpn on loopback for gateway tests: a private redis-server, the policy engine seeded with
 * the demo data, the provisioner with pe-sim, and one gateway — the same wiring as `svpn up`.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '@svpn/service-kit';
import { silentLogger } from '@svpn/service-kit';
import { KeySpace, RedisPolicyStore } from '@svpn/store';
import { createPolicyClient, seedDemoData } from '@svpn/policy-service';
import {
  ConfigSchema as ProvisionerConfigSchema,
  startProvisioner,
  type ProvisionerService,
} from '@svpn/provisioner-service';
import { freePort, startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { SipAgent, type SipResponse } from '@svpn/sip';
import { ConfigSchema, DEMO_TOPOLOGY_FILE, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/start-gateway.js';
import type { ProvisioningPort } from '../../src/ports.js';

export interface Harness {
  redisServer: RedisServerHandle;
  redis: Redis;
  provisioner: ProvisionerService;
  gateway: Gateway;
  config: Config;
  stop(): Promise<void>;
}

export async function startHarness(overrides: Partial<Config> = {}): Promise<Harness> {
  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const keys = new KeySpace('svpn');
  const store = new RedisPolicyStore(redis, { keys });
  await seedDemoData(store);
  const policy = createPolicyClient(store);
  const provisioner = await startProvisioner(
    loadConfig(ProvisionerConfigSchema, {}, { redisUrl: redisServer.url, topologyFile: DEMO_TOPOLOGY_FILE }),
    { redis, log: silentLogger() },
  );
  const p = provisioner.provisioner;
  const provisioning: ProvisioningPort = {
    provision: (intent) => (intent.version === 1 ? p.provisionSession(intent) : p.modifySession(intent)),
    release: async (sessionId) => {
      await p.releaseSession(sessionId);
    },
    advertiseMembership: async (intent) => {
      await p.advertiseMembership(intent);
    },
  };
  const port = await freePort();
  const config = loadConfig(
    ConfigSchema,
    {},
    { sipPort: port, httpPort: 0, redisUrl: redisServer.url, t1Ms: 100, ...overrides },
  );
  const gateway = await startGateway(config, { redis, policy, provisioning, log: silentLogger() });
  return {
    redisServer,
    redis,
    provisioner,
    gateway,
    config,
    async stop() {
      await gateway.stop();
      await provisioner.stop();
      await store.close();
      redis.disconnect();
      await redisServer.stop();
    },
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
