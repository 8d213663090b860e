import type { Redis } from 'ioredis';
import { runScript } from '../run-script.js';
import type { KeySpace } from '../keys.js';
import {
  type CustomerUsageRecord,
  type SessionRecord,
  type SessionStore,
  sessionUsageContribution,
} from './session-store.js';

/**
 * Sessions in Redis under the `{sessions}` hash tag: `session:<id>` (JSON), the `active` set and a
 * `usage:<customer>` hash (`sessions`, `bps`). A Lua script swaps the record and moves the usage by
 * the difference between the old and new record in one step, so concurrent gateways never drift.
 */
const PUT_SESSION = `
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[4] == '1' then redis.call('SADD', KEYS[2], ARGV[2]) else redis.call('SREM', KEYS[2], ARGV[2]) end
if old then
  local o = cjson.decode(old)
  if o.phase ~= 'ended' then
    local okey = ARGV[5] .. o.customerId
    redis.call('HINCRBY', okey, 'sessions', -1)
    redis.call('HINCRBY', okey, 'bps', -o.grantedBps)
  end
end
if ARGV[4] == '1' then
  redis.call('HINCRBY', KEYS[3], 'sessions', 1)
  redis.call('HINCRBY', KEYS[3], 'bps', ARGV[3])
end
return 1
`;

const DELETE_SESSION = `
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
local o = cjson.decode(old)
if o.phase ~= 'ended' then
  local okey = ARGV[2] .. o.customerId
  redis.call('HINCRBY', okey, 'sessions', -1)
  redis.call('HINCRBY', okey, 'bps', -o.grantedBps)
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
`;

export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
  ) {}

  private sessionKey(id: string): string {
    return this.keys.key('sessions', 'session', id);
  }

  private get activeKey(): string {
    return this.keys.key('sessions', 'active');
  }

  private get usagePrefix(): string {
    return this.keys.key('sessions', 'usage', '');
  }

  async put(record: SessionRecord): Promise<void> {
    const { sessions, bps } = sessionUsageContribution(record);
    await runScript(
      this.redis,
      PUT_SESSION,
      [this.sessionKey(record.sessionId), this.activeKey, this.usagePrefix + record.customerId],
      [
        JSON.stringify(record),
        record.sessionId,
        String(Math.round(bps)),
        sessions === 1 ? '1' : '0',
        this.usagePrefix,
      ],
    );
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const json = await this.redis.get(this.sessionKey(sessionId));
    return json === null ? undefined : (JSON.parse(json) as SessionRecord);
  }

  async listActive(): Promise<SessionRecord[]> {
    const ids = await this.redis.smembers(this.activeKey);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.sessionKey(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as SessionRecord);
  }

  async usage(customerId: string): Promise<CustomerUsageRecord> {
    const h = await this.redis.hgetall(this.usagePrefix + customerId);
    return { activeSessions: Number(h['sessions'] ?? 0), reservedBps: Number(h['bps'] ?? 0) };
  }

  async delete(sessionId: string): Promise<void> {
    await runScript(
      this.redis,
      DELETE_SESSION,
      [this.sessionKey(sessionId), this.activeKey],
      [sessionId, this.usagePrefix],
    );
  }
}
