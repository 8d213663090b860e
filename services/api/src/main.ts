/** `svpn run api`: the API service alone, configured from the environment. */
import { connectRedis, createLogger, loadConfig } from '@svpn/service-kit';
import { ConfigSchema } from './config.js';
import { startApiService } from './start-api-service.js';

const log = createLogger('api');
const config = loadConfig(ConfigSchema);
const redis = connectRedis(config.redisUrl);
const service = await startApiService(config, { redis, log });
const stop = (): void => {
  void service.stop().then(() => {
    redis.disconnect();
    process.exit(0);
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
