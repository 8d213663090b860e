/**
 * The VPN capacity request an INVITE carries in its SDP (DESIGN §2): which VPN, how much, which
 * service class, for how long, over which tunnel type — and the answer the 200 OK returns.
 * Pure: SDP text in, typed request out; every refusal is a typed error with the SIP status and
 * the Warning text the gateway sends.
 */
import sdpTransform from 'sdp-transform';
import {
  type Rspec,
  type ServiceClassName,
  type Tspec,
  isServiceClassName,
  parseRspecAttribute,
  parseTspecAttribute,
  sdpBandwidthToBitRate,
  tspecToBitRate,
} from '@svpn/qos';
import { SvpnError } from '@svpn/errors';

export type TunnelType = 'mpls' | 'gre' | 'ipsec' | 'vxlan';
export type Direction = 'uni' | 'bi';

/** RFC 3312 §5 — one `a=des:qos` line (strength, status type, direction). */
export interface QosPrecondition {
  strength: 'mandatory' | 'optional' | 'none' | 'failure' | 'unknown';
  statusType: 'e2e' | 'local' | 'remote';
  direction: 'none' | 'send' | 'recv' | 'sendrecv';
}

export interface VpnRequest {
  /** `a=svpn-vpn-id`: RFC 2685 `OUI:index` hex, or a configured VPN name. */
  vpnId: string;
  serviceClass: ServiceClassName;
  /** The bit rate to reserve (transport overhead included), from b=AS, b=TIAS + a=maxprate or the Tspec. */
  bandwidthBps: number;
  bandwidthSource: 'as' | 'tias' | 'tspec';
  tspec?: Tspec;
  rspec?: Rspec;
  direction: Direction;
  /** `a=svpn-duration` in seconds, when bounded. */
  durationS?: number;
  /** `a=svpn-start` (RFC 3339) as ms since the epoch, for a booking ahead. */
  startAt?: number;
  tunnelType: TunnelType;
  /** The application's data endpoint (`c=` and `m=application <port>`). */
  address: string;
  ipVersion: 4 | 6;
  port: number;
  /** RFC 3312 preconditions the offer asks for (empty when none). */
  preconditions: QosPrecondition[];
}

/** Why an SDP offer cannot be served: the SIP status to answer and the Warning text. */
export class VpnRequestError extends SvpnError<'SVPN_SDP_INVALID' | 'SVPN_SDP_UNSUPPORTED'> {
  constructor(
    readonly sipStatus: 400 | 488,
    message: string,
  ) {
    super(sipStatus === 400 ? 'SVPN_SDP_INVALID' : 'SVPN_SDP_UNSUPPORTED', message);
  }
}

const TUNNEL_TYPES: readonly TunnelType[] = ['mpls', 'gre', 'ipsec', 'vxlan'];

type MediaDescription = sdpTransform.SessionDescription['media'][number];

function attribute(
  media: MediaDescription,
  session: sdpTransform.SessionDescription,
  name: string,
): string | undefined {
  const find = (list: { attribute: string; value?: string }[] | undefined): string | undefined =>
    list?.find((a) => a.attribute === name)?.value;
  return find(media.invalid?.map(parseInvalid)) ?? find(session.invalid?.map(parseInvalid));
}

/** sdp-transform keeps lines it has no grammar for in `invalid` as raw `value`s (`svpn-qos:x`). */
function parseInvalid(line: { value: string }): { attribute: string; value?: string } {
  const colon = line.value.indexOf(':');
  return colon < 0
    ? { attribute: line.value }
    : { attribute: line.value.slice(0, colon), value: line.value.slice(colon + 1).trim() };
}

function parsePositiveInt(text: string, what: string): number {
  if (!/^\d{1,12}$/.test(text))
    throw new VpnRequestError(400, `${what} must be a whole number, got "${text}"`);
  return Number(text);
}

/**
 * Reads the VPN request from an SDP offer. The first `m=application … svpn-data` line is the
 * request (any other m-line is ignored, so a UA may offer media alongside).
 */
export function parseVpnRequest(sdpText: string): VpnRequest {
  if (sdpText.trim() === '') throw new VpnRequestError(488, 'the INVITE carries no SDP offer');
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdpText);
  } catch (error) {
    throw new VpnRequestError(400, `unparseable SDP: ${(error as Error).message}`);
  }
  const media = session.media.find(
    (m) => m.type === 'application' && String(m.payloads).split(' ').includes('svpn-data'),
  );
  if (media === undefined)
    throw new VpnRequestError(488, 'no "m=application <port> TCP svpn-data" line in the offer');

  const vpnId = attribute(media, session, 'svpn-vpn-id');
  if (vpnId === undefined || vpnId === '') throw new VpnRequestError(488, 'a=svpn-vpn-id is missing');
  const qos = attribute(media, session, 'svpn-qos') ?? 'high-throughput-data';
  if (!isServiceClassName(qos))
    throw new VpnRequestError(488, `unknown service class "${qos}" in a=svpn-qos`);

  const connection = media.connection ?? session.connection;
  if (connection === undefined) throw new VpnRequestError(400, 'no c= line for the application endpoint');
  const ipVersion = connection.version === 6 ? 6 : 4;

  let tspec: Tspec | undefined;
  let rspec: Rspec | undefined;
  const tspecText = attribute(media, session, 'svpn-tspec');
  const rspecText = attribute(media, session, 'svpn-rspec');
  try {
    if (tspecText !== undefined) tspec = parseTspecAttribute(tspecText);
    if (rspecText !== undefined) rspec = parseRspecAttribute(rspecText, tspec);
  } catch (error) {
    throw new VpnRequestError(488, (error as Error).message);
  }

  let bandwidthBps: number;
  let bandwidthSource: VpnRequest['bandwidthSource'];
  const bandwidths = [...(media.bandwidth ?? []), ...(session.bandwidth ?? [])];
  const as = bandwidths.find((b) => b.type === 'AS')?.limit;
  const tias = bandwidths.find((b) => b.type === 'TIAS')?.limit;
  const maxprate = attribute(media, session, 'maxprate');
  if (as !== undefined || (tias !== undefined && maxprate !== undefined)) {
    try {
      const rate = sdpBandwidthToBitRate(
        {
          ...(as === undefined ? {} : { as: Number(as) }),
          ...(tias === undefined ? {} : { tias: Number(tias) }),
          ...(maxprate === undefined ? {} : { maxprate: Number(maxprate) }),
        },
        ipVersion === 6 ? 'ipv6' : 'ipv4',
        'tcp',
      );
      bandwidthBps = rate.bitsPerSecond;
      bandwidthSource = rate.source;
    } catch (error) {
      throw new VpnRequestError(488, (error as Error).message);
    }
  } else if (tspec !== undefined) {
    bandwidthBps = tspecToBitRate(tspec);
    bandwidthSource = 'tspec';
  } else {
    throw new VpnRequestError(488, 'no bandwidth: give b=AS, b=TIAS with a=maxprate, or a=svpn-tspec');
  }
  if (!(bandwidthBps > 0)) throw new VpnRequestError(488, 'the requested bandwidth must be above zero');

  const directionText = attribute(media, session, 'svpn-direction') ?? 'bi';
  if (directionText !== 'uni' && directionText !== 'bi') {
    throw new VpnRequestError(488, `a=svpn-direction must be uni or bi, got "${directionText}"`);
  }
  const tunnelText = attribute(media, session, 'svpn-tunnel-type') ?? 'mpls';
  if (!TUNNEL_TYPES.includes(tunnelText as TunnelType)) {
    throw new VpnRequestError(488, `unsupported tunnel type "${tunnelText}" (mpls, gre, ipsec, vxlan)`);
  }
  const durationText = attribute(media, session, 'svpn-duration');
  const startText = attribute(media, session, 'svpn-start');
  let startAt: number | undefined;
  if (startText !== undefined) {
    startAt = Date.parse(startText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(startText) || Number.isNaN(startAt)) {
      throw new VpnRequestError(400, `a=svpn-start must be an RFC 3339 time, got "${startText}"`);
    }
  }

  const preconditions: QosPrecondition[] = [];
  for (const line of media.invalid ?? []) {
    const a = parseInvalid(line);
    if (a.attribute !== 'des' || a.value === undefined) continue;
    const [tag, strength, statusType, direction] = a.value.split(/\s+/);
    if (tag !== 'qos') continue;
    preconditions.push({
      strength: (strength ?? 'none') as QosPrecondition['strength'],
      statusType: (statusType ?? 'e2e') as QosPrecondition['statusType'],
      direction: (direction ?? 'sendrecv') as QosPrecondition['direction'],
    });
  }

  return {
    vpnId,
    serviceClass: qos,
    bandwidthBps,
    bandwidthSource,
    ...(tspec === undefined ? {} : { tspec }),
    ...(rspec === undefined ? {} : { rspec }),
    direction: directionText,
    ...(durationText === undefined ? {} : { durationS: parsePositiveInt(durationText, 'a=svpn-duration') }),
    ...(startAt === undefined ? {} : { startAt }),
    tunnelType: tunnelText as TunnelType,
    address: connection.ip,
    ipVersion,
    port: media.port,
    preconditions,
  };
}

/** What the 200 OK says was granted (DESIGN §2). */
export interface VpnGrant {
  sessionId: string;
  grantedBps: number;
  dscp: number;
  lspId: string;
  label: number;
  /** The gateway-side endpoint that replaces the peer's (topology hiding). */
  address: string;
  port: number;
}

/**
 * Builds an SDP answer (or the offer the gateway sends on to the callee) from a request and a
 * grant: the gateway's own address in o=/c=, `b=AS` with the granted rate, and the svpn attributes.
 */
export function buildVpnSdp(
  request: VpnRequest,
  grant: VpnGrant,
  options: { sessionVersion?: number; preconditionsMet?: boolean } = {},
): string {
  const ip = grant.address.includes(':') ? 'IP6' : 'IP4';
  const version = options.sessionVersion ?? 1;
  const lines = [
    'v=0',
    `o=svpn ${grant.sessionId.replace(/\D/g, '').slice(0, 15) || '1'} ${version} IN ${ip} ${grant.address}`,
    's=svpn',
    `c=IN ${ip} ${grant.address}`,
    't=0 0',
    `m=application ${grant.port} TCP svpn-data`,
    `b=AS:${Math.ceil(grant.grantedBps / 1000)}`,
    `a=svpn-vpn-id:${request.vpnId}`,
    `a=svpn-qos:${request.serviceClass}`,
    `a=svpn-direction:${request.direction}`,
    `a=svpn-tunnel-type:${request.tunnelType}`,
    ...(request.durationS === undefined ? [] : [`a=svpn-duration:${request.durationS}`]),
    `a=svpn-dscp:${grant.dscp}`,
    `a=svpn-session:${grant.sessionId}`,
    `a=svpn-tunnel:${grant.lspId}`,
    `a=svpn-label:${grant.label}`,
    ...(options.preconditionsMet === true ? preconditionLines(request) : []),
  ];
  return lines.join('\r\n') + '\r\n';
}

/**
 * RFC 3312 §5.1 — the status lines of a met reservation: the gateway reserves the tunnel before it
 * answers or alerts anyone, so the current status is the whole requested direction, end to end,
 * and each desired-status line of the offer is echoed (an answerer keeps the offer's strength, §6).
 */
export function preconditionLines(request: VpnRequest): string[] {
  if (request.preconditions.length === 0) return [];
  const reserved = request.direction === 'bi' ? 'sendrecv' : 'send';
  const statusTypes = [...new Set(request.preconditions.map((p) => p.statusType))];
  return [
    ...statusTypes.map((t) => `a=curr:qos ${t} ${reserved}`),
    ...request.preconditions.map((p) => `a=des:qos ${p.strength} ${p.statusType} ${p.direction}`),
  ];
}

/** Whether the offer makes the QoS precondition mandatory (RFC 3312 §5: strength `mandatory`). */
export function requiresQosPrecondition(request: VpnRequest): boolean {
  return request.preconditions.some((p) => p.strength === 'mandatory');
}
