import { MemoryPolicyStore } from '../../src/index.js';
import { policyStoreConformance } from './policy-store-conformance.js';

policyStoreConformance('memory', { make: async () => new MemoryPolicyStore() });
