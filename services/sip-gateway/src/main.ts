// The gateway as its own process (`svpn run sip-gateway`): config from the environment, the policy
// service over HTTP (POLICY_URL), provisioning through the shared queues (no workers here), drain
// on SIGTERM.
import { Type } from '@sinclair/typebox';
import { connectRedis, createLogger, handleShutdown, loadConfig } from '@svpn/service-kit';
import { createHttpPolicyClient } from '@svpn/policy-service';
import { ConfigSchema as ProvisionerConfig, startProvisioner } from '@svpn/provisioner-service';
import { ConfigSchema } from './config.js';
import { startGateway } from './start-gateway.js';
import type { ProvisioningPort } from './ports.js';
import { provisionerPort } from './provisioning-port.js';

const log = createLogger('sip-gateway');
const config = loadConfig(ConfigSchema, process.env);
const { policyUrl } = loadConfig(
  Type.Object({ policyUrl: Type.String({ default: 'http://127.0.0.1:8082' }) }),
  process.env,
);
const redis = connectRedis(config.redisUrl);
const provisioner = await startProvisioner(
  loadConfig(ProvisionerConfig, process.env, {
    runWorkers: false,
    runReconciler: false,
    keyPrefix: config.keyPrefix,
  }),
  { redis, log },
);
const provisioning: ProvisioningPort = provisionerPort(provisioner.provisioner);
const gateway = await startGateway(config, {
  redis,
  policy: createHttpPolicyClient(policyUrl),
  provisioning,
  log,
});
log.info({ sip: gateway.sipAddress, http: gateway.httpAddress }, 'ready');
// handleShutdown stops in reverse order: the gateway drains first (it still needs Redis to release
// its sessions and the admission lease), then the provisioner API, then the Redis connection.
handleShutdown([{ stop: async () => redis.disconnect() }, provisioner, gateway], log);
