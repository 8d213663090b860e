// The stack-only UAS of uas-server.ts driven in-process, without sockets: SIPp-shaped INVITE, ACK
// and BYE datagrams go straight into a transport's `message` event and the responses are read back
// from its `send`. What it measures is the stack's own CPU per call (no kernel, no peer), steadily
// and quickly, for profiling (`--cpu-prof`) and before/after comparisons of the hot path.
//
// Each datagram gets its own turn of the event loop (as every UDP datagram does), so what one
// settles (createUAS waiting for the ACK) is in place before the next arrives.
//
// With `--expose-gc` it also reports the heap each call leaves behind while its transactions
// linger (64·T1).
//
// Usage: node [--expose-gc] --import tsx packages/sip/bench/uas-inproc.ts [--calls=20000] [--rounds=3]
//        [--linger=34]
import { SipAgent, TransportManager, type SendTarget } from '@svpn/sip';
import { BENCH_SDP, HandFedTransport } from './hand-fed-transport.js';

const arg = (name: string, fallback: string): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const callsPerRound = arg('calls', '20000');
const rounds = arg('rounds', '3');
/** Seconds to stay up after the last round (transactions linger 64·T1 = 32 s), CPU then reported per call. */
const lingerSeconds = arg('linger', '0');

/** Keeps the last message the stack sent (the bench reads the To tag of the 200 from it). */
class LoopTransport extends HandFedTransport {
  last: Buffer | undefined;
  send(data: Buffer, _target: SendTarget): Promise<void> {
    this.last = data;
    this.sent++;
    return Promise.resolve();
  }
}

const sdp = BENCH_SDP;

/** The requests of SIPp's built-in `uac` scenario for call `n`. */
function request(method: string, n: number, cseq: string, toTag = '', body = ''): string {
  return [
    `${method} sip:service@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-${n}-${method}`,
    `From: sipp <sip:sipp@127.0.0.1:5061>;tag=4242SIPpTag00${n}`,
    `To: service <sip:service@127.0.0.1:5060>${toTag === '' ? '' : `;tag=${toTag}`}`,
    `Call-ID: ${n}-4242@127.0.0.1`,
    `CSeq: ${cseq}`,
    'Contact: sip:sipp@127.0.0.1:5061',
    'Max-Forwards: 70',
    'Subject: Performance Test',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

function toTagOf(response: Buffer | undefined): string {
  const text = response?.toString('latin1') ?? '';
  const to = text.indexOf('\r\nTo: ');
  const tag = text.indexOf(';tag=', to);
  return text.slice(tag + 5, text.indexOf('\r\n', tag));
}

const transport = new LoopTransport();
const agent = await SipAgent.listen({ transports: new TransportManager([transport]) });
agent.invite((req, res) => {
  agent.createUAS(req, res, { localSdp: sdp }).catch(() => undefined);
});

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapAtStart = process.memoryUsage().heapUsed;
const buffersAtStart = process.memoryUsage().arrayBuffers;
let n = 0;
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
for (let round = 0; round < rounds; round++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sentBefore = transport.sent;
  for (let i = 0; i < callsPerRound; i++) {
    n++;
    transport.deliver(request('INVITE', n, '1 INVITE', '', sdp));
    await yieldTurn();
    const tag = toTagOf(transport.last);
    transport.deliver(request('ACK', n, '1 ACK', tag));
    await yieldTurn();
    transport.deliver(request('BYE', n, '2 BYE', tag));
    await yieldTurn();
  }
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  gc?.();
  const memory = process.memoryUsage();
  const heapPerCall = gc === undefined ? undefined : (memory.heapUsed - heapAtStart) / n;
  const buffersPerCall = gc === undefined ? undefined : (memory.arrayBuffers - buffersAtStart) / n;
  process.stdout.write(
    JSON.stringify({
      round,
      calls: callsPerRound,
      responses: transport.sent - sentBefore,
      cpu_us_per_call: Math.round(((used.user + used.system) / callsPerRound) * 10) / 10,
      calls_per_s: Math.round((callsPerRound / ms) * 1000),
      lingering: agent.stack.table.size,
      dialogs: agent.dialogs.size,
      ...(heapPerCall === undefined ? {} : { heap_bytes_per_lingering_call: Math.round(heapPerCall) }),
      ...(buffersPerCall === undefined
        ? {}
        : { buffer_bytes_per_lingering_call: Math.round(buffersPerCall) }),
    }) + '\n',
  );
}
if (lingerSeconds > 0) {
  const cpu = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, lingerSeconds * 1000));
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      linger_seconds: lingerSeconds,
      linger_cpu_us_per_call: Math.round(((used.user + used.system) / n) * 10) / 10,
      lingering: agent.stack.table.size,
    }) + '\n',
  );
}
await agent.close();
