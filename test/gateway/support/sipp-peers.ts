/**
 * SIPp as the applications at both ends of an svpn session (DESIGN §2): the caller (a SIPp UAC
 * carrying the VPN request in SDP and Resource-Priority) and the callee (a SIPp instance that
 * REGISTERs from a port, then a SIPp UAS bound to that same port answers). Scenario files live in
 * `../scenarios/`, named `<role>-<action>-expect-<status>`.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { freePort, runSipp, type SippResult } from '@svpn/test-support';
import { sessionIdFor } from '@svpn/sip-gateway-service';

export type SippTransport = 'u1' | 't1';

/** Absolute path of a scenario in `test/gateway/scenarios/`. */
export function scenario(name: string): string {
  return fileURLToPath(new URL(`../scenarios/${name}.xml`, import.meta.url));
}

/** The demo applications (deploy/demo/policy-data.json) and their passwords. */
export const PASSWORDS: Record<string, string> = {
  'primary-dc': 'primary-secret',
  'backup-dc': 'backup-secret',
  'grid-a': 'grid-a-secret',
  'grid-b': 'grid-b-secret',
  'grid-c': 'grid-c-secret',
};

export const DOMAIN = 'svpn.example.net';
export const ACME = '00000a:00000001';
export const GLOBEX_GRID = '00000b:00000001';
export const GLOBEX_ARCHIVE = '00000b:00000002';

/** A gateway's SIP address as SIPp's target. */
export interface GatewayTarget {
  sipAddress: { port: number };
}

/** SIPp's verdict in one line, for assertion messages. */
export function verdict(result: SippResult): string {
  return `exit ${result.exitCode}, ok ${result.successfulCalls}, failed ${result.failedCalls}; ${result.errors.slice(0, 1500)} ${result.stderr.slice(0, 500)}`;
}

export interface RegisterOptions {
  gateway: GatewayTarget;
  application: string;
  ce: string;
  vpn: string;
  transport?: SippTransport;
  /** The port the application registers from (and later answers on). @defaultValue a free port */
  port?: number;
  password?: string;
  scenarioName?: string;
  domain?: string;
}

/** Registers an application through SIPp; resolves with the port it registered from. */
export async function registerApp(o: RegisterOptions): Promise<{ port: number; result: SippResult }> {
  const port = o.port ?? (await freePort());
  const domain = o.domain ?? DOMAIN;
  const result = await runSipp({
    scenarioFile: scenario(o.scenarioName ?? 'app-register-expect-200'),
    target: `127.0.0.1:${o.gateway.sipAddress.port}`,
    localPort: port,
    transport: o.transport ?? 'u1',
    maxCalls: 1,
    service: o.application,
    authUser: o.application,
    authPassword: o.password ?? PASSWORDS[o.application] ?? '',
    keys: { domain, tag: randomBytes(6).toString('hex'), vpn: o.vpn, ce: o.ce },
    // SIPp writes digest-uri="sip:<auth_uri>" (it adds the scheme).
    extraArgs: ['-auth_uri', domain],
    timeoutMs: 10_000,
  }).done;
  return { port, result };
}

/** Registers each `[application, ce, vpn]` in turn and asserts SIPp's REGISTER passed. */
export async function registerApps(
  gateway: GatewayTarget,
  bindings: readonly (readonly [application: string, ce: string, vpn: string])[],
  transport?: SippTransport,
): Promise<void> {
  for (const [application, ce, vpn] of bindings) {
    const r = await registerApp({ gateway, application, ce, vpn, transport });
    assert.equal(r.result.exitCode, 0, verdict(r.result));
  }
}

export interface UasRun {
  done: Promise<SippResult>;
  stop(): void;
}

/** The far application answering on the port it registered from. */
export function answerAs(
  port: number,
  scenarioName: string,
  options: { transport?: SippTransport; timeoutMs?: number; maxCalls?: number; service?: string } = {},
): UasRun {
  return runSipp({
    scenarioFile: scenario(scenarioName),
    localPort: port,
    transport: options.transport ?? 'u1',
    maxCalls: options.maxCalls ?? 1,
    ...(options.service === undefined ? {} : { service: options.service }),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

export interface CallOptions {
  gateway: GatewayTarget;
  caller: string;
  callee: string;
  vpn: string;
  kbps: number;
  scenarioName: string;
  transport?: SippTransport;
  qos?: string;
  /** RFC 4412 Resource-Priority. @defaultValue dsn.routine */
  resourcePriority?: string;
  /** Up to two more SDP attribute lines (e.g. `a=svpn-duration:3600`). */
  sdpExtra?: string[];
  /** The callee's domain (a peer gateway's). @defaultValue svpn.example.net */
  domain?: string;
  password?: string;
  /** Second bandwidth, for the re-INVITE scenario. */
  kbps2?: number;
  timeoutMs?: number;
}

export interface CallRun {
  /** The gateway's session id for this call (deterministic from Call-ID and From tag). */
  sessionId: string;
  done: Promise<SippResult>;
  stop(): void;
}

/** Places one call with a SIPp UAC. */
export async function placeCall(o: CallOptions): Promise<CallRun> {
  const tag = randomBytes(6).toString('hex');
  const callIdPrefix = `e2e-${randomBytes(6).toString('hex')}`;
  const domain = o.domain ?? DOMAIN;
  const extra = [...(o.sdpExtra ?? [])];
  const run = runSipp({
    scenarioFile: scenario(o.scenarioName),
    target: `127.0.0.1:${o.gateway.sipAddress.port}`,
    localPort: await freePort(),
    transport: o.transport ?? 'u1',
    maxCalls: 1,
    service: o.callee,
    authUser: o.caller,
    authPassword: o.password ?? PASSWORDS[o.caller] ?? '',
    keys: {
      domain,
      caller: o.caller,
      tag,
      vpn: o.vpn,
      kbps: String(o.kbps),
      kbps2: String(o.kbps2 ?? o.kbps),
      qos: o.qos ?? 'high-throughput-data',
      rp: o.resourcePriority ?? 'dsn.routine',
      x1: extra[0] ?? 'a=svpn-direction:bi',
      x2: extra[1] ?? 'a=svpn-tunnel-type:mpls',
    },
    // SIPp numbers calls from 1: the Call-ID of this single call is `<prefix>-1`.
    extraArgs: ['-auth_uri', `${o.callee}@${domain}`, '-cid_str', `${callIdPrefix}-%u`],
    timeoutMs: o.timeoutMs ?? 20_000,
  });
  return { sessionId: sessionIdFor(`${callIdPrefix}-1`, tag), ...run };
}

/** Polls until `check` holds (bounded). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits for `check` while a SIPp run is going on; if the run ends first, fails with its verdict
 * (what SIPp saw is the useful diagnosis).
 */
export async function whileRunning(
  what: string,
  run: { done: Promise<SippResult> },
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  let ended: SippResult | undefined;
  void run.done.then((r) => {
    ended = r;
  });
  await waitFor(
    what,
    async () => {
      if (await check()) return true;
      if (ended !== undefined) throw new Error(`SIPp ended before ${what}: ${verdict(ended)}`);
      return false;
    },
    timeoutMs,
  );
}
