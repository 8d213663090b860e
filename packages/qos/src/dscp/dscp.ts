import { DscpInvalidError, DscpUnknownNameError } from '../errors.js';

/**
 * Differentiated Services codepoints with standard names.
 *
 * | name | value | source |
 * |---|---|---|
 * | DF (CS0, default) | 0 | RFC 2474 §4.1 |
 * | CS1–CS7 | 8n | RFC 2474 §4.2.2 |
 * | AFxy, x = 1..4, y = 1..3 | 8x + 2y | RFC 2597 §6 |
 * | EF | 46 | RFC 3246 |
 * | VOICE-ADMIT | 44 | RFC 5865 |
 * | LE | 1 | RFC 8622 |
 *
 * @see https://www.rfc-editor.org/rfc/rfc2474
 * @see https://www.rfc-editor.org/rfc/rfc2597#section-6
 * @see https://www.rfc-editor.org/rfc/rfc3246
 * @see https://www.rfc-editor.org/rfc/rfc5865
 * @see https://www.rfc-editor.org/rfc/rfc8622
 */

/** The per-hop behaviour (group) a codepoint selects. */
export type Phb = 'DF' | 'CS' | 'AF' | 'EF' | 'VOICE-ADMIT' | 'LE';

/** AF class 1..4 (RFC 2597 §2). */
export type AfClass = 1 | 2 | 3 | 4;
/** AF drop precedence 1 (low) .. 3 (high) (RFC 2597 §2). */
export type AfDropPrecedence = 1 | 2 | 3;

/** Canonical names of the named codepoints. */
export type DscpName =
  | 'DF'
  | 'CS1'
  | 'CS2'
  | 'CS3'
  | 'CS4'
  | 'CS5'
  | 'CS6'
  | 'CS7'
  | 'AF11'
  | 'AF12'
  | 'AF13'
  | 'AF21'
  | 'AF22'
  | 'AF23'
  | 'AF31'
  | 'AF32'
  | 'AF33'
  | 'AF41'
  | 'AF42'
  | 'AF43'
  | 'EF'
  | 'VOICE-ADMIT'
  | 'LE';

/** One named codepoint. */
export interface DscpEntry {
  readonly name: DscpName;
  readonly value: number;
  readonly phb: Phb;
  /** The RFC that defines the codepoint. */
  readonly rfc: string;
}

/** RFC 2474 §4.2.2 — Class Selector n is 8n (the three high bits of the DSCP). */
export function classSelector(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new DscpInvalidError(`CS${n}`);
  return 8 * n;
}

/** RFC 2597 §6 — AFxy is 8x + 2y (class in the three high bits, drop precedence in the next two). */
export function assuredForwarding(afClass: AfClass, dropPrecedence: AfDropPrecedence): number {
  if (![1, 2, 3, 4].includes(afClass) || ![1, 2, 3].includes(dropPrecedence)) {
    throw new DscpInvalidError(`AF${afClass}${dropPrecedence}`);
  }
  return 8 * afClass + 2 * dropPrecedence;
}

function buildTable(): readonly DscpEntry[] {
  const entries: DscpEntry[] = [{ name: 'DF', value: 0, phb: 'DF', rfc: 'RFC 2474' }];
  for (let n = 1; n <= 7; n++) {
    entries.push({ name: `CS${n}` as DscpName, value: classSelector(n), phb: 'CS', rfc: 'RFC 2474' });
  }
  for (const x of [1, 2, 3, 4] as const) {
    for (const y of [1, 2, 3] as const) {
      entries.push({
        name: `AF${x}${y}` as DscpName,
        value: assuredForwarding(x, y),
        phb: 'AF',
        rfc: 'RFC 2597',
      });
    }
  }
  entries.push({ name: 'EF', value: 46, phb: 'EF', rfc: 'RFC 3246' });
  entries.push({ name: 'VOICE-ADMIT', value: 44, phb: 'VOICE-ADMIT', rfc: 'RFC 5865' });
  entries.push({ name: 'LE', value: 1, phb: 'LE', rfc: 'RFC 8622' });
  return Object.freeze(entries.sort((a, b) => a.value - b.value).map((e) => Object.freeze(e)));
}

/** Every named codepoint, sorted by value. */
export const DSCP_TABLE: readonly DscpEntry[] = buildTable();

const BY_VALUE = new Map<number, DscpEntry>(DSCP_TABLE.map((e) => [e.value, e]));
const BY_NAME = new Map<string, DscpEntry>(DSCP_TABLE.map((e) => [e.name, e]));
/** Other spellings accepted by {@link dscpFromName}. */
const ALIASES: Readonly<Record<string, DscpName>> = {
  CS0: 'DF',
  DEFAULT: 'DF',
  BE: 'DF',
  VOICEADMIT: 'VOICE-ADMIT',
  VOICE_ADMIT: 'VOICE-ADMIT',
};

/** True for an integer in 0..63 (the six DSCP bits, RFC 2474 §3). */
export function isDscp(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 63;
}

/** Returns `value` if it is a DSCP (0..63), else throws {@link DscpInvalidError}. */
export function validateDscp(value: unknown): number {
  if (!isDscp(value)) throw new DscpInvalidError(value);
  return value;
}

/** The entry of a named codepoint, or `undefined` for an unnamed one (e.g. 3). */
export function dscpEntry(value: number): DscpEntry | undefined {
  return BY_VALUE.get(validateDscp(value));
}

/** The canonical name of a codepoint (`46` → `EF`, `0` → `DF`), or `undefined` if it has none. */
export function dscpName(value: number): DscpName | undefined {
  return dscpEntry(value)?.name;
}

/**
 * The value of a named codepoint, case-insensitive; `CS0`, `default` and `BE` mean DF.
 * @throws {@link DscpUnknownNameError}
 */
export function dscpFromName(name: string): number {
  const key = name.trim().toUpperCase();
  const entry = BY_NAME.get(ALIASES[key] ?? key);
  if (entry === undefined) throw new DscpUnknownNameError(name);
  return entry.value;
}

/**
 * A DSCP from configuration or a wire attribute: a number, a decimal string (`"46"`) or a name
 * (`"EF"`, `"af41"`).
 */
export function parseDscp(input: number | string): number {
  if (typeof input === 'number') return validateDscp(input);
  const text = input.trim();
  if (/^\d+$/.test(text)) return validateDscp(Number(text));
  return dscpFromName(text);
}

/** The AF class and drop precedence of an AF codepoint, or `undefined` for any other. */
export function afComponents(
  value: number,
): { afClass: AfClass; dropPrecedence: AfDropPrecedence } | undefined {
  const entry = dscpEntry(value);
  if (entry?.phb !== 'AF') return undefined;
  return { afClass: (value >> 3) as AfClass, dropPrecedence: ((value >> 1) & 3) as AfDropPrecedence };
}

/** The IPv4 TOS / IPv6 Traffic Class octet carrying a DSCP (RFC 2474 §3: DSCP in the six high bits). */
export function dscpToTrafficClass(value: number): number {
  return validateDscp(value) << 2;
}

/** The DSCP in a TOS / Traffic Class octet (the two ECN bits, RFC 3168, are ignored). */
export function trafficClassToDscp(octet: number): number {
  if (!Number.isInteger(octet) || octet < 0 || octet > 255) throw new DscpInvalidError(octet);
  return octet >> 2;
}
