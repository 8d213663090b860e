/**
 * Shared pieces of the SIPp integration suites: an agent on a free loopback port, a tap on what
 * it sends and receives (so tests can assert the wire, not only SIPp's verdict), scenario paths.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SipAgent, type SipAgentOptions, type TransportProtocol } from '@svpn/sip';
import { SIPP_ALL_OK, type SippResult, type SippRunOptions, freePort, runSipp } from '@svpn/test-support';

/** Absolute path of a scenario file in `test/sipp/scenarios/`. */
export function scenario(name: string): string {
  return fileURLToPath(new URL(`./scenarios/${name}.xml`, import.meta.url));
}

/** An SDP answer: one audio stream, PCMU. */
export const ANSWER_SDP = [
  'v=0',
  'o=svpn 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** An SDP offer for calls we place. */
export const OFFER_SDP = ANSWER_SDP.replace('m=audio 40000', 'm=audio 40002');

/** Everything an agent put on and took off the wire, as text. */
export interface WireTap {
  readonly sent: string[];
  readonly received: string[];
}

/** The start line of each message. */
export function startLines(messages: readonly string[]): string[] {
  return messages.map((m) => m.slice(0, m.indexOf('\r\n')));
}

/** How many messages start with `prefix` (e.g. `SIP/2.0 487`, `ACK `). */
export function countStart(messages: readonly string[], prefix: string): number {
  return messages.filter((m) => m.startsWith(prefix)).length;
}

/** Records every message the agent's transports send and receive. */
export function tapWire(agent: SipAgent): WireTap {
  const tap: WireTap = { sent: [], received: [] };
  const transports = agent.stack.transports;
  const send = transports.send.bind(transports);
  transports.send = (protocol, data, target, selector) => {
    tap.sent.push(data.toString('latin1'));
    return send(protocol, data, target, selector);
  };
  transports.on('message', (m) => tap.received.push(m.data.toString('latin1')));
  return tap;
}

export interface TestAgent {
  agent: SipAgent;
  port: number;
  wire: WireTap;
}

/** A `SipAgent` listening on 127.0.0.1 (UDP and/or TCP on the same free port). */
export async function startAgent(
  options: Omit<SipAgentOptions, 'listen'> & { protocols?: TransportProtocol[] } = {},
): Promise<TestAgent> {
  const { protocols = ['udp'], ...rest } = options;
  const port = await freePort();
  const endpoint = [{ address: '127.0.0.1', port }];
  const agent = await SipAgent.listen({
    ...rest,
    listen: {
      ...(protocols.includes('udp') ? { udp: endpoint } : {}),
      ...(protocols.includes('tcp') ? { tcp: endpoint } : {}),
    },
  });
  return { agent, port, wire: tapWire(agent) };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check()` holds, polling; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Runs SIPp on its own free loopback port (never the shared default 5060) and waits for it to end. */
export async function sipp(options: SippRunOptions): Promise<SippResult> {
  const localPort = options.localPort ?? (await freePort());
  return runSipp({ ...options, localPort }).done;
}

/** SIPp's verdict and counters in one line, for assertion messages. */
export function describeRun(result: SippResult): string {
  const { exitCode, successfulCalls, failedCalls, retransmissions, errors } = result;
  return JSON.stringify({
    exitCode,
    successfulCalls,
    failedCalls,
    retransmissions,
    errors: errors.slice(0, 2000),
  });
}

/** SIPp passed all of its `calls` calls: exit code 0, that many successful, none failed. */
export function assertAllCallsPassed(result: SippResult, calls: number): void {
  assert.equal(result.exitCode, SIPP_ALL_OK, describeRun(result));
  assert.equal(result.successfulCalls, calls, describeRun(result));
  assert.equal(result.failedCalls, 0, describeRun(result));
}
