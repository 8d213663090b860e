/**
 * `svpn call`: places one test call through a running gateway, as two demo applications would:
 * the callee registers and answers, the caller registers and INVITEs with the DESIGN §2 SDP; the
 * command prints what the 200 OK granted, holds the session, then hangs up.
 */
import sdpTransform from 'sdp-transform';
import { SipAgent, SipError } from '@svpn/sip';

export interface CallOptions {
  gateway: string;
  domain: string;
  from: string;
  fromPassword: string;
  fromCe: string;
  to: string;
  toPassword: string;
  toCe: string;
  vpn: string;
  kbps: number;
  serviceClass: string;
  holdS: number;
  resourcePriority?: string;
  durationS?: number;
}

export interface CallOutcome {
  status: number;
  reason: string;
  granted?: Record<string, string>;
}

function offer(o: CallOptions): string {
  return [
    'v=0',
    'o=svpn-call 1 1 IN IP4 127.0.0.1',
    's=svpn call',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=application 9000 TCP svpn-data',
    `b=AS:${o.kbps}`,
    `a=svpn-vpn-id:${o.vpn}`,
    `a=svpn-qos:${o.serviceClass}`,
    ...(o.durationS === undefined ? [] : [`a=svpn-duration:${o.durationS}`]),
    '',
  ].join('\r\n');
}

/** The svpn attributes and bandwidth of an SDP answer, for display. */
export function grantedFromSdp(sdp: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parsed = sdpTransform.parse(sdp);
  const media = parsed.media[0];
  const as = media?.bandwidth?.find((b) => b.type === 'AS');
  if (as !== undefined) out['bandwidth'] = `${as.limit} kbit/s`;
  for (const line of media?.invalid ?? []) {
    const m = /^svpn-([a-z-]+):(.*)$/.exec(line.value);
    if (m) out[m[1] as string] = (m[2] as string).trim();
  }
  return out;
}

async function register(
  agent: SipAgent,
  o: CallOptions,
  user: string,
  password: string,
  ce: string,
): Promise<void> {
  const response = await agent.request(`sip:${o.gateway}`, {
    method: 'REGISTER',
    from: `sip:${user}@${o.domain}`,
    to: `sip:${user}@${o.domain}`,
    headers: {
      Contact: `<${agent.stack.contactUri(user)}>;+svpn.vpn-id="${o.vpn}";+svpn.ce="${ce}"`,
      Expires: '300',
    },
    auth: { username: user, password },
  });
  if (response.status !== 200) {
    throw new SipError(
      response.status,
      `REGISTER of ${user} failed: ${response.reason} ${response.headers.get('Warning') ?? ''}`.trim(),
      response,
    );
  }
}

export async function placeCall(o: CallOptions, log: (line: string) => void): Promise<CallOutcome> {
  const listen = { udp: [{ address: '127.0.0.1', port: 0 }] };
  const callee = await SipAgent.listen({ listen, contactUser: o.to });
  const caller = await SipAgent.listen({ listen, contactUser: o.from });
  try {
    callee.invite(async (req, res) => {
      const dialog = await callee.createUAS(req, res, { localSdp: req.body });
      log(`callee ${o.to}: answered`);
      dialog.on('destroy', () => log(`callee ${o.to}: hung up`));
    });
    await register(callee, o, o.to, o.toPassword, o.toCe);
    await register(caller, o, o.from, o.fromPassword, o.fromCe);
    log(`registered ${o.from} (${o.fromCe}) and ${o.to} (${o.toCe}) on VPN ${o.vpn}`);
    const started = Date.now();
    const dialog = await caller.createUAC(`sip:${o.to}@${o.gateway}`, {
      localSdp: offer(o),
      from: `sip:${o.from}@${o.domain}`,
      to: `sip:${o.to}@${o.domain}`,
      auth: { username: o.from, password: o.fromPassword },
      ...(o.resourcePriority === undefined ? {} : { headers: { 'Resource-Priority': o.resourcePriority } }),
    });
    const granted = grantedFromSdp(dialog.remote.sdp);
    log(`200 OK after ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, o.holdS * 1000));
    await dialog.destroy();
    return { status: 200, reason: 'OK', granted };
  } catch (error) {
    if (error instanceof SipError) {
      const warning = error.response?.headers.get('Warning');
      return {
        status: error.status,
        reason: `${error.reason}${warning === undefined ? '' : ` (${warning})`}`,
      };
    }
    throw error;
  } finally {
    await caller.close();
    await callee.close();
  }
}
