// The UAC side of the stack driven in-process, without sockets: what a placed call costs and, above
// all, what it leaves on the heap while its client transactions linger — the INVITE's in RFC 6026
// Accepted (Timer M, 64·T1) and the BYE's in Completed (Timer K, T4 over UDP).
//
// Two shapes of call:
// - `--mode=b2bua` (the default, the shape of the gateway): an INVITE from a caller (port 5061)
//   reaches a `createB2BUA` handler, which places the B-leg INVITE to a callee (port 5062); the
//   callee answers 200 with SDP, the caller gets its 200 and ACKs it, then hangs up (BYE), which the
//   B2BUA relays to the callee (BYE, 200).
// - `--mode=uac`: `createUAC` to the callee, 200, ACK, then `dialog.destroy()` (BYE, 200).
//
// The callee is played by the transport itself: an INVITE or BYE sent to it is answered on the
// next turn of the event loop. Each datagram gets its own turn, as over UDP.
//
// With `--expose-gc` it reports the heap each call leaves behind while its transactions linger
// (heap after a full GC, less the heap at the start, divided by the calls so far).
//
// Usage: node [--expose-gc] --import tsx packages/sip/bench/uac-inproc.ts [--mode=b2bua|uac]
//        [--calls=4000] [--rounds=2]
import { SipAgent, TransportManager, type SendTarget } from '@svpn/sip';
import { BENCH_SDP, HandFedTransport } from './hand-fed-transport.js';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const mode = arg('mode', 'b2bua');
if (mode !== 'b2bua' && mode !== 'uac') throw new Error(`--mode must be b2bua or uac, not ${mode}`);
const callsPerRound = Number(arg('calls', '4000'));
const rounds = Number(arg('rounds', '2'));

const CALLER_PORT = 5061;
const CALLEE_PORT = 5062;

const sdp = BENCH_SDP;

/** The value of the first header `name` (full form as the stack writes it) in `text`. */
function header(text: string, name: string): string {
  const at = text.indexOf(`\r\n${name}: `);
  if (at < 0) return '';
  const start = at + name.length + 4;
  return text.slice(start, text.indexOf('\r\n', start));
}

/** The callee's answer to a request the stack sent it: 200 (with SDP to an INVITE), nothing to an ACK. */
function calleeAnswer(text: string): string | undefined {
  if (text.startsWith('ACK ')) return undefined;
  const invite = text.startsWith('INVITE ');
  const body = invite ? sdp : '';
  return [
    'SIP/2.0 200 OK',
    `Via: ${header(text, 'Via')}`,
    `From: ${header(text, 'From')}`,
    `To: ${header(text, 'To')}${invite ? ';tag=callee1' : ''}`,
    `Call-ID: ${header(text, 'Call-ID')}`,
    `CSeq: ${header(text, 'CSeq')}`,
    `Contact: <sip:callee@127.0.0.1:${CALLEE_PORT}>`,
    ...(invite ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

/** Plays the callee itself (answers what the stack sends it) and keeps the last message to the caller. */
class LoopTransport extends HandFedTransport {
  /** The last message sent to the caller. */
  toCaller: string | undefined;
  send(data: Buffer, target: SendTarget): Promise<void> {
    this.sent++;
    const text = data.toString('latin1');
    if (target.port === CALLEE_PORT) {
      const answer = calleeAnswer(text);
      if (answer !== undefined) setImmediate(() => this.deliver(answer, CALLEE_PORT));
    } else {
      this.toCaller = text;
    }
    return Promise.resolve();
  }
}

/** The caller's requests (SIPp's `uac` shape) for call `n`. */
function callerRequest(method: string, n: number, cseq: string, toTag = '', body = ''): string {
  return [
    `${method} sip:callee@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${CALLER_PORT};branch=z9hG4bK-4242-${n}-${method}`,
    `From: sipp <sip:sipp@127.0.0.1:${CALLER_PORT}>;tag=4242SIPpTag00${n}`,
    `To: callee <sip:callee@127.0.0.1:5060>${toTag === '' ? '' : `;tag=${toTag}`}`,
    `Call-ID: ${n}-4242@127.0.0.1`,
    `CSeq: ${cseq}`,
    `Contact: sip:sipp@127.0.0.1:${CALLER_PORT}`,
    'Max-Forwards: 70',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

const transport = new LoopTransport();
const agent = await SipAgent.listen({ transports: new TransportManager([transport]) });
const calleeUri = `sip:callee@127.0.0.1:${CALLEE_PORT}`;
agent.invite((req, res) => {
  agent.createB2BUA(req, res, calleeUri).catch(() => undefined);
});

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Turns of the event loop until `done` holds (a few per message at most). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 1000) throw new Error(`no ${what}`);
    await yieldTurn();
  }
}

async function b2buaCall(n: number): Promise<void> {
  transport.toCaller = undefined;
  transport.deliver(callerRequest('INVITE', n, '1 INVITE', '', sdp), CALLER_PORT);
  await until(() => transport.toCaller?.startsWith('SIP/2.0 200 ') === true, '200 to the INVITE');
  const tag = /;tag=([^;\r]+)/.exec(header(transport.toCaller ?? '', 'To'))?.[1] ?? '';
  transport.deliver(callerRequest('ACK', n, '1 ACK', tag), CALLER_PORT);
  await yieldTurn();
  transport.toCaller = undefined;
  transport.deliver(callerRequest('BYE', n, '2 BYE', tag), CALLER_PORT);
  await until(() => transport.toCaller?.startsWith('SIP/2.0 200 ') === true, '200 to the BYE');
  // The relayed BYE and its 200 from the callee.
  await until(() => agent.dialogs.size === 0, 'end of both dialogs');
}

async function uacCall(): Promise<void> {
  const dialog = await agent.createUAC(calleeUri, { localSdp: sdp });
  await dialog.destroy();
}

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapAtStart = process.memoryUsage().heapUsed;
const buffersAtStart = process.memoryUsage().arrayBuffers;
let n = 0;
for (let round = 0; round < rounds; round++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < callsPerRound; i++) {
    n++;
    if (mode === 'b2bua') await b2buaCall(n);
    else await uacCall();
  }
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  gc?.();
  const memory = process.memoryUsage();
  const counts = agent.stack.table.counts();
  process.stdout.write(
    JSON.stringify({
      mode,
      round,
      calls: callsPerRound,
      seconds: Math.round(ms) / 1000,
      cpu_us_per_call: Math.round(((used.user + used.system) / callsPerRound) * 10) / 10,
      lingering: counts,
      dialogs: agent.dialogs.size,
      ...(gc === undefined
        ? {}
        : {
            heap_bytes_per_lingering_call: Math.round((memory.heapUsed - heapAtStart) / n),
            buffer_bytes_per_lingering_call: Math.round((memory.arrayBuffers - buffersAtStart) / n),
          }),
    }) + '\n',
  );
}
await agent.close();
