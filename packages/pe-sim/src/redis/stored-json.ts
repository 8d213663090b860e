import { StoreCorruptError } from '../errors.js';
import type { RateHistory } from '../counters/traffic-counters.js';

/**
 * Readers for the JSON records the Lua scripts store. Lua's cjson writes an empty array as `{}`, so
 * arrays accept an empty object; anything else unexpected means foreign data under our prefix.
 * @internal
 */
export type StoredObject = Readonly<Record<string, unknown>>;

export function parseStored(json: unknown, what: string): StoredObject {
  if (typeof json !== 'string') throw new StoreCorruptError(`${what}: expected a JSON string`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new StoreCorruptError(`${what}: not JSON (${String(cause)})`);
  }
  return object(value, what);
}

export function object(value: unknown, what: string): StoredObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StoreCorruptError(`${what}: expected an object`);
  }
  return value as StoredObject;
}

export function str(o: StoredObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new StoreCorruptError(`${what}.${key}: expected a string`);
  return v;
}

export function num(o: StoredObject, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new StoreCorruptError(`${what}.${key}: expected a number`);
  return v;
}

export function bool(o: StoredObject, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new StoreCorruptError(`${what}.${key}: expected a boolean`);
  return v;
}

export function optStr(o: StoredObject, key: string, what: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new StoreCorruptError(`${what}.${key}: expected a string or null`);
  return v;
}

export function optNum(o: StoredObject, key: string, what: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new StoreCorruptError(`${what}.${key}: expected a number or null`);
  return v;
}

export function arr(o: StoredObject, key: string, what: string): readonly unknown[] {
  const v = o[key];
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) return [];
  throw new StoreCorruptError(`${what}.${key}: expected an array`);
}

export function strings(o: StoredObject, key: string, what: string): string[] {
  return arr(o, key, what).map((v, i) => {
    if (typeof v !== 'string') throw new StoreCorruptError(`${what}.${key}[${i}]: expected a string`);
    return v;
  });
}

export function rates(o: StoredObject, what: string): RateHistory {
  return arr(o, 'rates', what).map((entry, i) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'number' || typeof entry[1] !== 'number') {
      throw new StoreCorruptError(`${what}.rates[${i}]: expected [startMs, rateBps]`);
    }
    return [entry[0], entry[1]] as const;
  });
}
