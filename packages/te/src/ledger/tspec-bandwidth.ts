import { addOverhead, type Tspec } from '@svpn/qos';

/**
 * The bandwidth a reservation books for a flow described by a token-bucket Tspec (RFC 2210,
 * r in bytes/s), carried under `overheadBytes` of encapsulation per packet: the overhead-adjusted
 * token rate r′ = r·(m+H)/m (`addOverhead` of `@svpn/qos`), in bit/s.
 *
 * The ledger books the token rate: RFC 2212 guaranteed service may need a rate R ≥ r, in which
 * case the caller books R from its Rspec instead.
 */
export function reservationBandwidthBps(tspec: Tspec, overheadBytes = 0): number {
  return addOverhead(tspec, overheadBytes).r * 8;
}
