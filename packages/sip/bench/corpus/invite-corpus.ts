// A deterministic corpus of realistic INVITE-with-SDP messages for the `sip-parse` benchmark:
// varied Via counts, Record-Route sets, compact and full header names, display names, and SDP
// bodies shaped like the gateway's service-VPN offers (DESIGN.md §2).

/** mulberry32: a tiny seeded PRNG, so every run parses the same octets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['Alice Liddell', 'Bob', 'Grid Scheduler 7', 'SAN Replicator', 'Carol "CJ" Jones', 'dave'];
const DOMAINS = ['example.com', 'vpn.example.net', 'grid.example.org', 'pe1.provider.example'];
const QOS = ['af41', 'ef', 'cs5', 'af21', 'default'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function sdp(rand: () => number, ip: string, index: number): string {
  const kbit = 1000 * (1 + Math.floor(rand() * 500));
  const lines = [
    'v=0',
    `o=svpn ${100000 + index} ${200000 + index} IN IP4 ${ip}`,
    's=svpn session',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=application ${20000 + index * 2} TCP svpn-data`,
    `b=AS:${kbit}`,
  ];
  if (rand() < 0.5) lines.push(`b=TIAS:${kbit * 960}`, 'a=maxprate:1200');
  lines.push(
    `a=svpn-vpn-id:00000a:${hex(rand, 8)}`,
    `a=svpn-qos:${pick(rand, QOS)}`,
    `a=svpn-direction:${rand() < 0.5 ? 'uni' : 'bi'}`,
  );
  if (rand() < 0.4) lines.push(`a=svpn-duration:${60 * (1 + Math.floor(rand() * 120))}`);
  if (rand() < 0.3) lines.push('a=des:qos mandatory local sendrecv', 'a=curr:qos local none');
  if (rand() < 0.3) {
    lines.push(
      `m=audio ${30000 + index * 2} RTP/AVP 0 8 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
    );
    lines.push('a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=sendrecv');
  }
  return lines.join('\r\n') + '\r\n';
}

/** `count` INVITE messages, each a complete datagram with a correct Content-Length. */
export function buildInviteCorpus(count = 50, seed = 4475): Buffer[] {
  const rand = prng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const compact = rand() < 0.3;
    const n = (full: string, short: string): string => (compact ? short : full);
    const domain = pick(rand, DOMAINS);
    const ip = `198.51.100.${1 + (i % 250)}`;
    const callee = `app-${hex(rand, 4)}@${pick(rand, DOMAINS)}`;
    const name = pick(rand, NAMES);
    const display = /^[A-Za-z0-9 ]+$/.test(name) && rand() < 0.5 ? name : `"${name.replace(/"/g, '\\"')}"`;
    const headers: string[] = [`INVITE sip:${callee};transport=udp SIP/2.0`];
    const vias = 1 + Math.floor(rand() * 5);
    const viaLines: string[] = [];
    for (let v = 0; v < vias; v++) {
      const port = rand() < 0.5 ? ':5060' : '';
      const rport = v === vias - 1 && rand() < 0.5 ? ';rport' : '';
      const received = v > 0 && rand() < 0.4 ? `;received=192.0.2.${v + 10}` : '';
      viaLines.push(
        `SIP/2.0/${rand() < 0.8 ? 'UDP' : 'TCP'} proxy${v}.${domain}${port};branch=z9hG4bK${hex(rand, 16)}${received}${rport}`,
      );
    }
    if (vias > 2 && rand() < 0.5) {
      // two Via values in one field, as proxies sometimes send them
      headers.push(`${n('Via', 'v')}: ${viaLines[0]}, ${viaLines[1]}`);
      for (const v of viaLines.slice(2)) headers.push(`${n('Via', 'v')}: ${v}`);
    } else for (const v of viaLines) headers.push(`${n('Via', 'v')}: ${v}`);
    headers.push('Max-Forwards: ' + (70 - vias));
    const rr = Math.floor(rand() * 4);
    for (let r = 0; r < rr; r++) headers.push(`Record-Route: <sip:rr${r}.${domain};lr;ftag=${hex(rand, 6)}>`);
    headers.push(`${n('From', 'f')}: ${display} <sip:app-${hex(rand, 4)}@${domain}>;tag=${hex(rand, 10)}`);
    headers.push(`${n('To', 't')}: <sip:${callee}>`);
    headers.push(`${n('Call-ID', 'i')}: ${hex(rand, 24)}@${ip}`);
    headers.push(`CSeq: ${1 + Math.floor(rand() * 1000)} INVITE`);
    headers.push(
      `${n('Contact', 'm')}: <sip:app@${ip}:${5060 + (i % 10)};transport=udp>${rand() < 0.3 ? ';expires=3600' : ''}`,
    );
    if (rand() < 0.5) headers.push('Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO');
    if (rand() < 0.5) headers.push(`${n('Supported', 'k')}: timer, precondition, 100rel`);
    if (rand() < 0.4) headers.push('Resource-Priority: dsn.flash');
    if (rand() < 0.4) headers.push(`${n('Session-Expires', 'x')}: 1800;refresher=uac`);
    headers.push('User-Agent: svpn-bench/1.0');
    const body = sdp(rand, ip, i);
    headers.push(`${n('Content-Type', 'c')}: application/sdp`);
    headers.push(`${n('Content-Length', 'l')}: ${Buffer.byteLength(body)}`);
    out.push(Buffer.from(headers.join('\r\n') + '\r\n\r\n' + body, 'utf8'));
  }
  return out;
}
