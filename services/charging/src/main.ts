import { createLogger, handleShutdown, loadConfig } from '@svpn/service-kit';
import { ConfigSchema } from './config.js';
import { startChargingService } from './start-charging-service.js';

// The charging service as its own process: config from the environment, consume, listen, drain on SIGTERM.
const log = createLogger('charging');
const config = loadConfig(ConfigSchema, process.env);
const service = await startChargingService(config, { log });
handleShutdown([service], log);
