import { isIPv4 } from 'node:net';

/**
 * The two-part value shared by Route Distinguishers (RFC 4364 §4.2) and the route-target extended
 * communities (RFC 4360 §4, RFC 5668): an Administrator subfield and an Assigned Number subfield.
 * Type 0 is a 2-byte AS number with a 4-byte number, type 1 an IPv4 address with a 2-byte number,
 * type 2 a 4-byte AS number with a 2-byte number.
 * @internal
 */
export interface AdministratorValue {
  readonly type: 0 | 1 | 2;
  /** AS number (types 0 and 2) or dotted IPv4 address (type 1). */
  readonly administrator: number | string;
  readonly assignedNumber: number;
}

const DECIMAL = /^(0|[1-9]\d{0,9})$/;
const ASDOT = /^(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})$/;

/**
 * Parses `ASN:nn` (asplain, or asdot `X.Y` per RFC 5396) or `IPv4:nn`; returns an error text on failure.
 * A 2-byte AS number gives type 0, a larger one type 2, an address type 1.
 * @internal
 */
export function parseAdministratorValue(text: string): AdministratorValue | string {
  if (typeof text !== 'string') return 'must be a string "ASN:nn" or "IPv4:nn"';
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return `"${text}" is not of the form ASN:nn or IPv4:nn`;
  const admin = text.slice(0, colon);
  const number = text.slice(colon + 1);
  if (!DECIMAL.test(number)) return `"${number}" is not a decimal assigned number`;
  const assignedNumber = Number(number);
  if (isIPv4(admin)) {
    if (assignedNumber > 0xffff) return `with an IPv4 administrator the assigned number must be ≤ 65535`;
    return { type: 1, administrator: canonicalIPv4(admin), assignedNumber };
  }
  let asn: number;
  const dot = ASDOT.exec(admin);
  if (dot) {
    const high = Number(dot[1]);
    const low = Number(dot[2]);
    if (high > 0xffff || low > 0xffff) return `"${admin}" is not a valid asdot AS number`;
    asn = high * 0x10000 + low;
  } else if (DECIMAL.test(admin)) {
    asn = Number(admin);
  } else {
    return `"${admin}" is neither an AS number nor an IPv4 address`;
  }
  if (asn > 0xffffffff) return `AS number ${admin} exceeds 4 bytes`;
  if (asn <= 0xffff) {
    if (assignedNumber > 0xffffffff)
      return 'with a 2-byte AS number the assigned number must be ≤ 4294967295';
    return { type: 0, administrator: asn, assignedNumber };
  }
  if (assignedNumber > 0xffff) return 'with a 4-byte AS number the assigned number must be ≤ 65535';
  return { type: 2, administrator: asn, assignedNumber };
}

/** Canonical text: asplain AS number or dotted address, a colon, the decimal number. @internal */
export function formatAdministratorValue(value: AdministratorValue): string {
  return `${value.administrator}:${value.assignedNumber}`;
}

/** The 6-byte value field: administrator then assigned number, big-endian. @internal */
export function encodeAdministratorValue(value: AdministratorValue, out: Uint8Array, offset: number): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, 6);
  switch (value.type) {
    case 0:
      view.setUint16(0, value.administrator as number);
      view.setUint32(2, value.assignedNumber);
      break;
    case 1: {
      const octets = (value.administrator as string).split('.').map(Number);
      octets.forEach((octet, i) => view.setUint8(i, octet));
      view.setUint16(4, value.assignedNumber);
      break;
    }
    case 2:
      view.setUint32(0, value.administrator as number);
      view.setUint16(4, value.assignedNumber);
      break;
    default: {
      const never: never = value.type;
      throw new Error(`unreachable administrator type ${String(never)}`);
    }
  }
}

function canonicalIPv4(address: string): string {
  return address
    .split('.')
    .map((octet) => String(Number(octet)))
    .join('.');
}
