// `npm run bench -- sip-parse [--seconds N]`: our parser vs the npm `sip` package on the same
// INVITE-with-SDP corpus, same work per message, same process, one core.
import type { Benchmark } from '@svpn/bench-kit';
import sip from 'sip';
import type { Uri } from '../src/grammar/index.js';
import { parseMessage } from '../src/messages/index.js';
import { buildInviteCorpus } from './corpus/invite-corpus.js';

/** The fields a UA core reads from every INVITE, in a comparable shape for both parsers. */
interface Extract {
  vias: number;
  branch: string;
  fromHost: string;
  fromTag: string;
  toHost: string;
  callId: string;
  cseq: number;
  contactHost: string;
  sdpLength: number;
}

function host(u: Uri | undefined): string {
  return u !== undefined && u.kind === 'sip' ? u.host : '';
}

function ours(data: Buffer): Extract {
  const r = parseMessage(data, { datagram: true });
  if (!r.ok) throw r.error;
  const m = r.message;
  const via = m.via;
  const from = m.from;
  const to = m.to;
  const contact = m.contact[0];
  return {
    vias: via.length,
    branch: via[0]?.branch ?? '',
    fromHost: host(from.uri),
    fromTag: from.tag ?? '',
    toHost: host(to.uri),
    callId: m.callId,
    cseq: m.cseq.seq,
    contactHost: host(contact?.uri),
    sdpLength: m.body.toString('utf8').length,
  };
}

function theirs(data: Buffer): Extract {
  // sip.parse converts the Buffer to a string itself (toString('binary')).
  const m = sip.parse(data);
  if (m === undefined) throw new Error('sip.parse failed');
  const h = m.headers;
  const via = h.via ?? [];
  const contact = Array.isArray(h.contact) ? h.contact[0] : undefined;
  // `sip` leaves URIs as strings in From/To/Contact; parse them as our accessors do.
  return {
    vias: via.length,
    branch: via[0]?.params.branch ?? '',
    fromHost: (h.from && sip.parseUri(h.from.uri)?.host) ?? '',
    fromTag: h.from?.params.tag ?? '',
    toHost: (h.to && sip.parseUri(h.to.uri)?.host) ?? '',
    callId: h['call-id'] ?? '',
    cseq: h.cseq?.seq ?? 0,
    contactHost: (contact && sip.parseUri(contact.uri)?.host) ?? '',
    sdpLength: m.content?.length ?? 0,
  };
}

let sink = 0;

/** CPU time of this process in nanoseconds (user + system): unaffected by other processes' load. */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Runs `work` over the corpus until `budgetNs` of CPU time has passed; whole corpus passes only. */
function slice(
  corpus: Buffer[],
  work: (b: Buffer) => Extract,
  budgetNs: number,
): { count: number; ns: number } {
  const start = cpuNs();
  const end = start + budgetNs;
  let count = 0;
  let now = start;
  while (now < end) {
    for (const b of corpus) sink += work(b).cseq;
    count += corpus.length;
    now = cpuNs();
  }
  return { count, ns: now - start };
}

/**
 * Messages per CPU-second for both parsers, `seconds` of CPU time each after a warm-up. The
 * budget is cut into interleaved slices (ours, theirs, theirs, ours, …) so cache and frequency
 * effects of a neighbour's load on this shared machine fall on both sides alike.
 */
function compare(corpus: Buffer[], seconds: number): { ours: number; theirs: number } {
  const warm = seconds * 0.2 * 1e9;
  slice(corpus, ours, warm);
  slice(corpus, theirs, warm);
  const rounds = 6;
  const per = (seconds / rounds) * 1e9;
  const total = { ours: { count: 0, ns: 0 }, theirs: { count: 0, ns: 0 } };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const);
    for (const who of order) {
      const s = slice(corpus, who === 'ours' ? ours : theirs, per);
      total[who].count += s.count;
      total[who].ns += s.ns;
    }
  }
  if (sink === -1) console.error('unreachable'); // keeps the work observable
  return {
    ours: total.ours.count / (total.ours.ns / 1e9),
    theirs: total.theirs.count / (total.theirs.ns / 1e9),
  };
}

function parseArgs(args: string[]): { seconds: number } {
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 3;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds needs a positive number');
  return { seconds };
}

const bench: Benchmark = {
  name: 'sip-parse',
  description: 'SIP parser throughput on an INVITE-with-SDP corpus vs the npm `sip` package',
  async run(emit, args) {
    const { seconds } = parseArgs(args);
    const corpus = buildInviteCorpus(50);
    // Both parsers must read the same values, or the comparison means nothing.
    for (const [i, b] of corpus.entries()) {
      const a = ours(b);
      const t = theirs(b);
      if (JSON.stringify(a) !== JSON.stringify(t)) {
        throw new Error(
          `corpus message ${i}: parsers disagree\n ours   ${JSON.stringify(a)}\n theirs ${JSON.stringify(t)}`,
        );
      }
    }
    emit('corpus_messages', corpus.length, 'messages');
    emit('corpus_mean_size', corpus.reduce((s, b) => s + b.length, 0) / corpus.length, 'bytes');
    const { ours: oursRate, theirs: theirsRate } = compare(corpus, seconds);
    emit('ours_msgs_per_s', Math.round(oursRate), 'msg/s');
    emit('theirs_msgs_per_s', Math.round(theirsRate), 'msg/s');
    emit('ratio', Math.round((oursRate / theirsRate) * 100) / 100, 'x');
  },
};
export default bench;
