import { createLogger, handleShutdown, loadConfig } from '@svpn/service-kit';
import { ConfigSchema } from './config.js';
import { startProvisioner } from './start-provisioner.js';

// `svpn run provisioner`: load the configuration, start, listen, drain on SIGTERM.
const log = createLogger('provisioner');
const config = loadConfig(ConfigSchema, process.env);
const service = await startProvisioner(config, { log });
await service.app.listen({ host: config.httpHost, port: config.httpPort });
log.info({ http: `${config.httpHost}:${config.httpPort}`, pes: service.pes }, 'provisioner ready');
handleShutdown([service], log);
