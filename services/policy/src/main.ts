import { createLogger, handleShutdown, loadConfig } from '@svpn/service-kit';

import { ConfigSchema } from './config.js';
import { startPolicyService } from './start-policy-service.js';

// The policy service as its own process: config from the environment, listen, drain on SIGTERM.
const log = createLogger('policy');
const config = loadConfig(ConfigSchema, process.env);
const service = await startPolicyService(config, { log });
handleShutdown([service], log);
