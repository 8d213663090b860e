/**
 * The API's SIP user agent: it acts for applications that do not speak SIP (seed 001 Fig. 3: the
 * GRID application's SIP agent). It REGISTERs the caller at its CE with the DESIGN §2 feature tags,
 * places the INVITE with the DESIGN §2 SDP and sends BYE on release — through the gateway's normal
 * digest authentication, so API and SIP users share one admission path.
 *
 * Credentials: the API is a trusted component of the provider (as the gateway is) and reads the
 * application's H(A1) from the policy store; it answers the gateway's digest challenge with it
 * (RFC 7616 §3.4.2 — the response needs only H(A1)). No password is kept by the API.
 *
 * An application without any SIP stack of its own can also be the called party: the agent
 * registers it ("hosted") with its own Contact and answers the gateway's INVITE for it.
 */
import sdpTransform from 'sdp-transform';
import { DigestClient, pickChallenge, SipAgent, SipError, type Dialog, type SipResponse } from '@svpn/sip';
import type { Logger } from '@svpn/service-kit';
import {
  CallFailedError,
  type CallGrant,
  type CallRequest,
  type PolicyPort,
  type SipPort,
} from '../ports.js';

export interface ApplicationAgentOptions {
  /** The gateway's SIP address, `host:port`. */
  gateway: string;
  /** SIP domain (AORs `sip:<application>@<domain>`). */
  domain: string;
  policy: Pick<PolicyPort, 'credentials'>;
  log: Logger;
  /** Address to bind (UDP). @defaultValue 127.0.0.1 */
  address?: string;
  /** @defaultValue 0 (any) */
  port?: number;
  /** RFC 3261 T1, ms. @defaultValue 500 */
  t1Ms?: number;
  /** REGISTER expiry, s. @defaultValue 3600 */
  registerExpiresS?: number;
}

/** The DESIGN §2 offer for a call. */
export function connectionOffer(r: CallRequest, address: string): string {
  return [
    'v=0',
    `o=svpn-api 1 1 IN IP4 ${address}`,
    's=svpn connection',
    `c=IN IP4 ${address}`,
    't=0 0',
    'm=application 9000 TCP svpn-data',
    `b=AS:${Math.ceil(r.bandwidthBps / 1000)}`,
    `a=svpn-vpn-id:${r.vpnId}`,
    `a=svpn-qos:${r.serviceClass}`,
    'a=svpn-direction:bi',
    ...(r.durationS === undefined ? [] : [`a=svpn-duration:${r.durationS}`]),
    '',
  ].join('\r\n');
}

/** What the gateway's answer granted (DESIGN §2 answer attributes). */
export function grantOf(sdp: string): CallGrant {
  const media = sdpTransform.parse(sdp).media[0];
  const attrs = new Map<string, string>();
  for (const line of media?.invalid ?? []) {
    const m = /^svpn-([a-z-]+):(.*)$/.exec(line.value);
    if (m) attrs.set(m[1] as string, (m[2] as string).trim());
  }
  const as = media?.bandwidth?.find((b) => b.type === 'AS');
  const num = (v: string | undefined): number | null =>
    v === undefined || !/^\d+$/.test(v) ? null : Number(v);
  return {
    sessionId: attrs.get('session') ?? null,
    lspId: attrs.get('tunnel') ?? null,
    label: num(attrs.get('label')),
    dscp: num(attrs.get('dscp')),
    grantedBps: as === undefined ? null : Number(as.limit) * 1000,
  };
}

export class ApplicationAgent implements SipPort {
  private readonly dialogs = new Map<string, Dialog>();
  private readonly hanging = new Set<string>();
  private readonly listeners: ((callId: string, reason: string) => void)[] = [];
  private readonly digest = new DigestClient();
  private readonly hosted = new Set<string>();
  private readonly address: string;

  private constructor(
    readonly agent: SipAgent,
    private readonly o: ApplicationAgentOptions,
  ) {
    this.address = o.address ?? '127.0.0.1';
    // Hosted applications answer the gateway's INVITE with the offer it carries (seed 001 Fig. 3).
    agent.invite(async (req, res) => {
      const user =
        req.message.uri
          .toString()
          .replace(/^sips?:/, '')
          .split('@')[0] ?? '';
      if (!this.hosted.has(user)) {
        res.send(404, { warning: `${user} is not hosted here` });
        return;
      }
      await agent.createUAS(req, res, { localSdp: req.body });
    });
  }

  static async listen(o: ApplicationAgentOptions): Promise<ApplicationAgent> {
    const agent = await SipAgent.listen({
      listen: { udp: [{ address: o.address ?? '127.0.0.1', port: o.port ?? 0 }] },
      T1: o.t1Ms ?? 500,
      userAgent: 'svpn-api',
      contactUser: 'svpn-api',
      logger: o.log,
      // Our dialogs end by BYE; no session timer refreshes to keep in step with the gateway's.
      sessionTimer: false,
    });
    return new ApplicationAgent(agent, o);
  }

  onEnded(listener: (callId: string, reason: string) => void): void {
    this.listeners.push(listener);
  }

  active(callId: string): boolean {
    const d = this.dialogs.get(callId);
    return d !== undefined && !d.destroyed;
  }

  async call(r: CallRequest): Promise<CallGrant> {
    await this.register(r.caller, r.callerCe, r.vpnId);
    if (r.hostCallee !== undefined) {
      this.hosted.add(r.callee);
      await this.register(r.callee, r.hostCallee.ce, r.vpnId);
    }
    const uri = `sip:${r.callee}@${this.o.gateway}`;
    const headers: Record<string, string> = {
      'Call-ID': r.callId,
      From: `<sip:${r.caller}@${this.o.domain}>;tag=${r.fromTag}`,
      ...(r.priority === undefined ? {} : { 'Resource-Priority': r.priority }),
    };
    const offer = connectionOffer(r, this.address);
    let dialog: Dialog;
    try {
      dialog = await this.agent.createUAC(uri, {
        localSdp: offer,
        to: `sip:${r.callee}@${this.o.domain}`,
        headers,
      });
    } catch (error) {
      if (!(error instanceof SipError) || error.response === undefined) throw failure(error);
      if (error.status !== 401 && error.status !== 407) throw failure(error);
      // RFC 3261 §22.2 — the same request again with credentials: same Call-ID and From tag, CSeq + 1.
      const authorization = await this.authorize(error.response, 'INVITE', uri, r.caller);
      try {
        dialog = await this.agent.createUAC(uri, {
          localSdp: offer,
          to: `sip:${r.callee}@${this.o.domain}`,
          headers: {
            ...headers,
            CSeq: `${error.response.cseq.seq + 1} INVITE`,
            [error.status === 401 ? 'Authorization' : 'Proxy-Authorization']: authorization,
          },
        });
      } catch (again) {
        throw failure(again);
      }
    }
    this.dialogs.set(r.callId, dialog);
    dialog.on('destroy', (info) => {
      this.dialogs.delete(r.callId);
      if (this.hanging.delete(r.callId)) return;
      // The gateway's BYE says why (RFC 4411: `Reason: preemption ;cause=1`): it goes on with the reason.
      const why = info.request?.headers.get('Reason');
      for (const l of this.listeners)
        l(r.callId, why === undefined ? info.reason : `${info.reason} (${why})`);
    });
    return grantOf(dialog.remote.sdp);
  }

  async reinvite(callId: string, r: CallRequest): Promise<CallGrant> {
    const dialog = this.dialogs.get(callId);
    if (dialog === undefined || dialog.destroyed)
      throw new CallFailedError(481, 'Call/Transaction Does Not Exist', undefined);
    try {
      return grantOf(await dialog.modify(connectionOffer(r, this.address)));
    } catch (error) {
      throw failure(error);
    }
  }

  async hangUp(callId: string): Promise<void> {
    const dialog = this.dialogs.get(callId);
    if (dialog === undefined || dialog.destroyed) return;
    this.hanging.add(callId);
    await dialog.destroy().catch((error: unknown) => this.o.log.info({ err: error, callId }, 'BYE failed'));
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** REGISTER with the DESIGN §2 feature tags, answering the digest challenge with H(A1). */
  private async register(application: string, ce: string, vpnId: string): Promise<void> {
    const uri = `sip:${this.o.gateway}`;
    const options = {
      method: 'REGISTER',
      from: `sip:${application}@${this.o.domain}`,
      to: `sip:${application}@${this.o.domain}`,
      headers: {
        Contact: `<${this.agent.stack.contactUri(application)}>;+svpn.vpn-id="${vpnId}";+svpn.ce="${ce}"`,
        Expires: String(this.o.registerExpiresS ?? 3600),
      },
    };
    let response = await this.agent.request(uri, options);
    if (response.status === 401 || response.status === 407) {
      const authorization = await this.authorize(response, 'REGISTER', uri, application);
      response = await this.agent.request(uri, {
        ...options,
        headers: {
          ...options.headers,
          'Call-ID': response.callId,
          CSeq: `${response.cseq.seq + 1} REGISTER`,
          [response.status === 401 ? 'Authorization' : 'Proxy-Authorization']: authorization,
        },
      });
    }
    if (response.status !== 200) {
      throw new CallFailedError(
        response.status,
        `REGISTER of ${application}: ${response.reason}`,
        response.headers.get('Warning'),
      );
    }
  }

  private async authorize(
    response: SipResponse,
    method: string,
    uri: string,
    username: string,
  ): Promise<string> {
    const header = response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const challenge = pickChallenge(response.headers.getAll(header), ['SHA-256', 'MD5']);
    if (challenge === undefined)
      throw new CallFailedError(response.status, 'no usable digest challenge', undefined);
    const realm = /realm="([^"]*)"/i.exec(challenge)?.[1] ?? this.o.domain;
    const sha = /algorithm=("?)SHA-256\1/i.test(challenge);
    const ha1 = await this.o.policy.credentials(username, realm, sha ? 'SHA-256' : 'MD5');
    if (ha1 === undefined) throw new CallFailedError(403, `no credentials for ${username}`, undefined);
    return this.digest.authorize({ challenge, method, uri, username, ha1 });
  }
}

function failure(error: unknown): CallFailedError {
  if (error instanceof CallFailedError) return error;
  if (error instanceof SipError) {
    return new CallFailedError(error.status, error.reason, error.response?.headers.get('Warning'));
  }
  return new CallFailedError(500, (error as Error).message, undefined);
}
