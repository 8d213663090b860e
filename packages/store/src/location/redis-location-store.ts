import type { Redis } from 'ioredis';
import type { KeySpace } from '../keys.js';
import type { Binding, LocationStore } from './location-store.js';

/**
 * Location service in Redis: one hash per AOR (`contact → binding JSON`) with the key's TTL at the
 * latest expiry, and a set per VPN of the AORs bound on it. All keys share the `{location}` hash
 * tag, so `replace` is one MULTI on one Cluster slot.
 */
export class RedisLocationStore implements LocationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
  ) {}

  private aorKey(aor: string): string {
    return this.keys.key('location', 'aor', aor);
  }

  private vpnKey(vpnId: string): string {
    return this.keys.key('location', 'vpn', vpnId);
  }

  async lookup(aor: string, now: number): Promise<Binding[]> {
    const raw = await this.redis.hvals(this.aorKey(aor));
    return raw
      .map((json) => JSON.parse(json) as Binding)
      .filter((b) => b.expiresAt > now)
      .sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || a.contact.localeCompare(b.contact));
  }

  async replace(aor: string, bindings: Binding[], now: number): Promise<void> {
    const key = this.aorKey(aor);
    const previous = (await this.redis.hvals(key)).map((json) => JSON.parse(json) as Binding);
    const live = bindings.filter((b) => b.expiresAt > now);
    const tx = this.redis.multi().del(key);
    for (const b of live) tx.hset(key, b.contact, JSON.stringify(b));
    // TTL relative to the caller's clock, so an injected clock and Redis's own agree on intent.
    if (live.length > 0) tx.pexpire(key, Math.max(...live.map((b) => b.expiresAt)) - now);
    const stillOn = new Set(live.flatMap((b) => b.vpnIds));
    for (const vpn of new Set(previous.flatMap((b) => b.vpnIds)))
      if (!stillOn.has(vpn)) tx.srem(this.vpnKey(vpn), aor);
    for (const vpn of stillOn) tx.sadd(this.vpnKey(vpn), aor);
    await tx.exec();
  }

  async listByVpn(vpnId: string, now: number): Promise<Binding[]> {
    const aors = await this.redis.smembers(this.vpnKey(vpnId));
    const out: Binding[] = [];
    for (const aor of aors) {
      const bindings = (await this.lookup(aor, now)).filter((b) => b.vpnIds.includes(vpnId));
      // An AOR whose bindings all expired leaves the VPN set lazily.
      if (bindings.length === 0) await this.redis.srem(this.vpnKey(vpnId), aor);
      out.push(...bindings);
    }
    return out;
  }
}
