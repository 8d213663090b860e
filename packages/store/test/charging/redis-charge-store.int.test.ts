import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { KeySpace, RedisChargeStore } from '../../src/index.js';
import { chargeStoreConformance, type TestRecord } from './charge-store-conformance.js';

let redis: RedisServerHandle;
let client: Redis;
before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.stop();
});

let n = 0;
// A unique key prefix per test: every test starts from an empty store.
chargeStoreConformance(
  'redis',
  async () => new RedisChargeStore<TestRecord>(client, new KeySpace(`charge-t${n++}`)),
);
