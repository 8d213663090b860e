import { MemoryChargeStore } from '../../src/index.js';
import { chargeStoreConformance, type TestRecord } from './charge-store-conformance.js';

chargeStoreConformance('memory', async () => new MemoryChargeStore<TestRecord>());
