import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENCAPSULATION_OVERHEAD,
  ESP_AES_GCM_16,
  espTunnelOverhead,
  greOverhead,
  IPV4_UDP_OVERHEAD_BYTES,
  IPV6_UDP_OVERHEAD_BYTES,
  MPLS_LABEL_BYTES,
  mplsLabelStackOverhead,
  vxlanOverhead,
} from '../../src/index.js';

describe('encapsulation overhead constants', () => {
  it('has the documented per-type defaults', () => {
    assert.deepEqual({ ...ENCAPSULATION_OVERHEAD }, { mpls: 8, gre: 24, ipsec: 73, vxlan: 50 });
  });

  it('MPLS: 4 B per label', () => {
    assert.equal(MPLS_LABEL_BYTES, 4);
    assert.deepEqual([0, 1, 2, 3].map(mplsLabelStackOverhead), [0, 4, 8, 12]);
    assert.throws(() => mplsLabelStackOverhead(-1), { code: 'QOS_OVERHEAD_INVALID' });
    assert.throws(() => mplsLabelStackOverhead(1.5), { code: 'QOS_OVERHEAD_INVALID' });
  });

  it('GRE: outer IP + 4, + 4 with a key', () => {
    assert.equal(greOverhead(), 24);
    assert.equal(greOverhead({ key: true }), 28);
    assert.equal(greOverhead({ outerIp: 'ipv6' }), 44);
  });

  it('VXLAN: 50 over IPv4, 70 over IPv6', () => {
    assert.equal(vxlanOverhead(), 50);
    assert.equal(vxlanOverhead({ outerIp: 'ipv6' }), 70);
  });

  it('IPsec ESP tunnel: worst-case padding per suite', () => {
    // 20 + 8 + 16 IV + 15 pad + 2 + 12 ICV
    assert.equal(espTunnelOverhead(), 73);
    assert.equal(espTunnelOverhead({ natTraversal: true }), 81);
    assert.equal(espTunnelOverhead({ outerIp: 'ipv6' }), 93);
    // 20 + 8 + 8 IV + 3 pad + 2 + 16 ICV
    assert.equal(espTunnelOverhead({ suite: ESP_AES_GCM_16 }), 57);
  });

  it('IP/UDP headers: 28 B over IPv4, 48 B over IPv6', () => {
    assert.equal(IPV4_UDP_OVERHEAD_BYTES, 28);
    assert.equal(IPV6_UDP_OVERHEAD_BYTES, 48);
  });
});
