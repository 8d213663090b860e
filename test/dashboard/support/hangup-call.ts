/**
 * One SIPp call the test can hang up: the caller application holds its session until the test
 * sends it an INFO on the call (scenario `uac-invite-hangup-expect-200`), then sends BYE itself.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, runSipp, type SippResult } from '@svpn/test-support';
import { sessionIdFor } from '@svpn/sip-gateway-service';
import { DOMAIN, PASSWORDS } from '../../gateway/support/sipp-peers.js';

const SCENARIO = fileURLToPath(new URL('../scenarios/uac-invite-hangup-expect-200.xml', import.meta.url));

export interface HangupCall {
  /** The gateway's session id of the call (from its Call-ID and From tag). */
  sessionId: string;
  done: Promise<SippResult>;
  /** Tells the caller to hang up (it sends BYE). */
  hangUp(): Promise<void>;
  stop(): void;
}

export async function placeHangupCall(o: {
  gatewaySipPort: number;
  caller: string;
  callee: string;
  vpn: string;
  kbps: number;
  serviceClass?: string;
  resourcePriority?: string;
}): Promise<HangupCall> {
  const tag = randomBytes(6).toString('hex');
  const callId = `dash-${randomBytes(6).toString('hex')}-1`;
  const localPort = await freePort();
  const run = runSipp({
    scenarioFile: SCENARIO,
    target: `127.0.0.1:${o.gatewaySipPort}`,
    localPort,
    transport: 'u1',
    maxCalls: 1,
    service: o.callee,
    authUser: o.caller,
    authPassword: PASSWORDS[o.caller] ?? '',
    keys: {
      domain: DOMAIN,
      caller: o.caller,
      tag,
      vpn: o.vpn,
      kbps: String(o.kbps),
      qos: o.serviceClass ?? 'high-throughput-data',
      rp: o.resourcePriority ?? 'dsn.routine',
      x1: 'a=svpn-direction:bi',
      x2: 'a=svpn-tunnel-type:mpls',
    },
    // SIPp numbers calls from 1: the Call-ID of this single call is `<prefix>-1`.
    extraArgs: ['-auth_uri', `${o.callee}@${DOMAIN}`, '-cid_str', callId.replace(/-1$/, '-%u')],
    timeoutMs: 60_000,
  });
  return {
    sessionId: sessionIdFor(callId, tag),
    done: run.done,
    stop: run.stop,
    async hangUp() {
      const info = [
        `INFO sip:${o.caller}@127.0.0.1:${localPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-hangup-${randomBytes(4).toString('hex')}`,
        `From: <sip:test@${DOMAIN}>;tag=hangup`,
        `To: <sip:${o.caller}@svpn.example.net>;tag=${tag}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INFO',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) =>
        socket.send(info, localPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
      socket.close();
    },
  };
}
