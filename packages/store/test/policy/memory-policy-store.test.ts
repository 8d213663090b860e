import { MemoryPolicyStore } from '../../src/index.js';
import { policyStoreConformance } from './policy-store-conformance.js';

policyStoreConformance('memory', {
  make: async () => new MemoryPolicyStore(),
  putLegacyUsage: async (store, customerId, sessionId, bps) =>
    (store as MemoryPolicyStore).importLegacyUsage(customerId, sessionId, bps),
});
