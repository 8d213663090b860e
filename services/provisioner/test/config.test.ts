import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@svpn/service-kit';
import { ConfigSchema } from '../src/config.js';

describe('provisioner configuration', () => {
  test('defaults', () => {
    const config = loadConfig(ConfigSchema, {});
    assert.equal(config.httpPort, 8083);
    assert.equal(config.keyPrefix, 'svpn');
    assert.equal(config.topologyFile, 'deploy/demo/topology.yaml');
    assert.equal(config.jobAttempts, 4);
    assert.equal(config.runWorkers, true);
  });

  test('reads SVPN_-prefixed and plain environment names, converting types', () => {
    const config = loadConfig(ConfigSchema, {
      SVPN_RECONCILE_INTERVAL_MS: '5000',
      RUN_WORKERS: 'false',
      SVPN_PE_SIM_PREFIX: 'x{net}',
    });
    assert.equal(config.reconcileIntervalMs, 5000);
    assert.equal(config.runWorkers, false);
    assert.equal(config.peSimPrefix, 'x{net}');
  });

  test('fails fast listing every problem', () => {
    assert.throws(
      () =>
        loadConfig(ConfigSchema, {
          SVPN_REDIS_URL: 'http://x',
          SVPN_JOB_ATTEMPTS: '0',
          SVPN_PE_SIM_PREFIX: 'nohashtag',
        }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 3,
    );
  });
});
