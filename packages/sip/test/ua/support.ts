/**
 * Helpers for the dialog-extension integration tests: two `SipAgent`s on 127.0.0.1 UDP with a
 * small T1, a wire tap that records (and can drop) what each one sends, and polling waits.
 */
import assert from 'node:assert/strict';
import { type Dialog, SipAgent, type SipAgentOptions } from '@svpn/sip';
import { freePort } from '@svpn/test-support';

/** Timer base for the tests: short, so 64·T1 guards fire within about a second. */
export const T1 = 20;

export const OFFER_SDP = sdp(40000, 1);
export const ANSWER_SDP = sdp(50000, 1);

/** A small SDP body; `version` goes in the o= line so successive offers differ. */
export function sdp(port: number, version: number): string {
  return [
    'v=0',
    `o=svpn 1 ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=application ${port} TCP svpn-data`,
    '',
  ].join('\r\n');
}

export interface Wire {
  /** Every message the agent sent, as text, in order (dropped ones included). */
  readonly sent: string[];
  /** Every message the agent received. */
  readonly received: string[];
  /** Messages matching this are recorded but not sent (set to simulate loss). */
  drop: ((message: string) => boolean) | undefined;
}

export interface TestAgent {
  agent: SipAgent;
  port: number;
  uri(user?: string): string;
  wire: Wire;
}

export async function startAgent(options: Omit<SipAgentOptions, 'listen'> = {}): Promise<TestAgent> {
  const port = await freePort();
  const agent = await SipAgent.listen({
    T1,
    T2: 8 * T1,
    ...options,
    listen: { udp: [{ address: '127.0.0.1', port }] },
  });
  const wire: Wire = { sent: [], received: [], drop: undefined };
  const transports = agent.stack.transports;
  const send = transports.send.bind(transports);
  transports.send = (protocol, data, target, selector) => {
    const text = data.toString('latin1');
    wire.sent.push(text);
    if (wire.drop?.(text) === true) return Promise.resolve();
    return send(protocol, data, target, selector);
  };
  transports.on('message', (m) => wire.received.push(m.data.toString('latin1')));
  return { agent, port, uri: (user = 'b') => `sip:${user}@127.0.0.1:${port}`, wire };
}

/** The start line of a message. */
export function startLine(message: string): string {
  return message.slice(0, message.indexOf('\r\n'));
}

/** The first value of a header in a message's text (case-insensitive name), or undefined. */
export function header(message: string, name: string): string | undefined {
  const lines = message.slice(0, message.indexOf('\r\n\r\n')).split('\r\n');
  const wanted = name.toLowerCase();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted)
      return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** Messages whose start line begins with `prefix` and, when given, whose CSeq method is `method`. */
export function messages(list: readonly string[], prefix: string, method?: string): string[] {
  return list.filter(
    (m) => m.startsWith(prefix) && (method === undefined || (header(m, 'CSeq') ?? '').endsWith(` ${method}`)),
  );
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check()` holds, polling; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Two agents and the confirmed call `a` placed to `b`. */
export interface ConnectedCall {
  a: TestAgent;
  b: TestAgent;
  caller: Dialog;
  callee: Dialog;
}

/**
 * Starts a caller `a` and a callee `b` (both closed after the test), lets `b` answer every INVITE
 * with {@link ANSWER_SDP}, and has `a` call `b` with {@link OFFER_SDP}.
 */
export async function connectedCall(
  t: { after: (fn: () => Promise<void>) => void },
  callerOptions: Omit<SipAgentOptions, 'listen'> = {},
  calleeOptions: Omit<SipAgentOptions, 'listen'> = {},
): Promise<ConnectedCall> {
  const a = await startAgent(callerOptions);
  const b = await startAgent(calleeOptions);
  t.after(async () => {
    await a.agent.close();
    await b.agent.close();
  });
  let callee: Promise<Dialog> | undefined;
  b.agent.invite((req, res) => {
    callee = b.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
  });
  const caller = await a.agent.createUAC(b.uri(), { localSdp: OFFER_SDP });
  assert.ok(callee, 'the callee saw the INVITE before the caller saw the 2xx');
  return { a, b, caller, callee: await callee };
}
