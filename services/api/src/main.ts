/** `svpn run api`: the API service alone, configured from the environment; SIGTERM drains it. */
import { connectRedis, createLogger, handleShutdown, loadConfig } from '@svpn/service-kit';
import { ConfigSchema } from './config.js';
import { startApiService } from './start-api-service.js';

const log = createLogger('api');
const config = loadConfig(ConfigSchema, process.env);
const redis = connectRedis(config.redisUrl);
const service = await startApiService(config, { redis, log });
// Stopped in reverse order: the service (timer lease released, deliveries in flight finished), then Redis.
handleShutdown([{ stop: async () => void redis.disconnect() }, service], log);
