import { isAlpha, isDigit, isHexDigit } from './char-classes.js';

export type HostType = 'ipv4' | 'ipv6' | 'hostname';

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0..255 (RFC 3261 §25.1). */
export function isIPv4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (isDigit(c)) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 0x30);
    } else return false;
  }
  return parts === 4;
}

/** IPv6address (RFC 3261 §25.1 / RFC 5118), without brackets; an IPv4 tail counts as two groups. */
export function isIPv6(text: string): boolean {
  if (text.length < 2) return false;
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return false;
  const halves = dbl >= 0 ? [text.slice(0, dbl), text.slice(dbl + 2)] : [text];
  let groups = 0;
  for (let h = 0; h < halves.length; h++) {
    const half = halves[h] as string;
    if (half === '') continue;
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const last = h === halves.length - 1 && i === parts.length - 1;
      if (last && part.includes('.')) {
        if (!isIPv4(part)) return false;
        groups += 2;
        continue;
      }
      if (part.length === 0 || part.length > 4) return false;
      for (let k = 0; k < part.length; k++) if (!isHexDigit(part.charCodeAt(k))) return false;
      groups++;
    }
  }
  return dbl >= 0 ? groups <= 7 : groups === 8;
}

/**
 * hostname = *( domainlabel "." ) toplabel [ "." ]; domainlabel = alphanum / alphanum *( alphanum /
 * "-" ) alphanum; toplabel starts with ALPHA (RFC 3261 §25.1). One pass, no allocation.
 */
export function isHostname(text: string): boolean {
  let end = text.length;
  if (end > 1 && text.charCodeAt(end - 1) === 0x2e) end--;
  if (end === 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (i === labelStart || text.charCodeAt(i - 1) === 0x2d) return false;
      if (i === end && !isAlpha(text.charCodeAt(labelStart))) return false;
      labelStart = i + 1;
    } else if (c === 0x2d) {
      if (i === labelStart) return false;
    } else if (c >= 128 || ALNUM[c] !== 1) return false;
  }
  return true;
}

const ALNUM = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Classifies a host (IPv6 references in brackets); undefined when it is not a valid host. */
export function hostType(host: string): HostType | undefined {
  if (host.charCodeAt(0) === 0x5b) {
    return host.charCodeAt(host.length - 1) === 0x5d && isIPv6(host.slice(1, -1)) ? 'ipv6' : undefined;
  }
  // A name whose last label starts with a letter cannot be an IPv4 address: test that first.
  // (A loop, not `lastIndexOf`: V8 runs that through the runtime, slow for short strings.)
  let lastLabel = host.length - 2;
  while (lastLabel >= 0 && host.charCodeAt(lastLabel) !== 0x2e) lastLabel--;
  if (isAlpha(host.charCodeAt(lastLabel + 1))) return isHostname(host) ? 'hostname' : undefined;
  if (isIPv4(host)) return 'ipv4';
  return isHostname(host) ? 'hostname' : undefined;
}

/** Host in comparable form: lower case; IPv6 expanded so `[::1]` equals `[0:0::1]` (RFC 5118 §4.3). */
export function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  if (!h.startsWith('[')) return h;
  const inner = h.slice(1, -1);
  if (!isIPv6(inner)) return h;
  return '[' + expandIPv6(inner).join(':') + ']';
}

function expandIPv6(text: string): string[] {
  const toGroups = (s: string): string[] => {
    if (s === '') return [];
    const out: string[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const o = part.split('.').map(Number);
        out.push(
          (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16),
          (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16),
        );
      } else out.push(parseInt(part, 16).toString(16));
    }
    return out;
  };
  const dbl = text.indexOf('::');
  if (dbl < 0) return toGroups(text);
  const head = toGroups(text.slice(0, dbl));
  const tail = toGroups(text.slice(dbl + 2));
  return [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
}
