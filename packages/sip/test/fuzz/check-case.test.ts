import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type IncomingDecision,
  type SipRequest,
  classifyIncoming,
  classifyUnframeable,
  createResponse,
  formatWarning,
  parseMessageOrThrow,
} from '@svpn/sip';
import {
  type Invariant,
  type Pipeline,
  ACCEPTED_REJECTIONS,
  checkCase,
  chunk,
  hasUsableTopVia,
  startLineShape,
  viaValues,
} from './check-case.js';
import { realisticCorpus } from './corpus.js';
import { Prng } from './mutator.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

function corpus(name: string): Buffer {
  const entry = realisticCorpus().find((e) => e.name === `realistic/${name}`);
  assert.ok(entry, name);
  return entry.data;
}

/** The real pipeline with classifyIncoming replaced. */
function broken(classify: Pipeline['classifyIncoming']): Pipeline {
  return { classifyIncoming: classify, classifyUnframeable };
}

function invariantsOf(data: Buffer, pipeline?: Pipeline): Set<Invariant> {
  const result = checkCase(data, { chunkSeed: 1, ...(pipeline === undefined ? {} : { pipeline }) });
  return new Set(result.violations.map((v) => v.invariant));
}

describe('fuzz oracles over raw bytes', () => {
  test('startLineShape: a token first is a request, SIP/ a response, anything else neither', () => {
    assert.deepEqual(startLineShape(b('INVITE sip:a@b SIP/2.0\r\n')), { kind: 'request', method: 'INVITE' });
    assert.deepEqual(startLineShape(b('\r\n\r\nACK sip:a@b SIP/2.0\r\n')), {
      kind: 'request',
      method: 'ACK',
    });
    assert.deepEqual(startLineShape(b('FOO')), { kind: 'request', method: 'FOO' });
    assert.deepEqual(startLineShape(b('sip/2.0 200 OK\r\n')), { kind: 'response' });
    assert.deepEqual(startLineShape(b(' INVITE sip:a@b SIP/2.0\r\n')), { kind: 'other' });
    assert.deepEqual(startLineShape(b('SIP/ x')), { kind: 'response' });
    assert.deepEqual(startLineShape(b('SIP/')), { kind: 'other' });
    assert.deepEqual(startLineShape(b('\xc3\xa9 x')), { kind: 'other' });
  });

  test('hasUsableTopVia reads the first Via field, unfolded, as RFC 3261 §7.3.1 / §25.1 allow', () => {
    const head = 'OPTIONS sip:a@b SIP/2.0\r\n';
    assert.equal(hasUsableTopVia(b(`${head}Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n`)), true);
    assert.equal(hasUsableTopVia(b(`${head}v : SIP/2.0/UDP h\r\n\r\n`)), true);
    assert.equal(hasUsableTopVia(b(`${head}Via: SIP/2.0/UDP\r\n  h;branch=x\r\n\r\n`)), true);
    assert.equal(hasUsableTopVia(b(`${head}Via: , SIP/2.0/UDP h\r\n\r\n`)), true);
    // HCOLON cannot be folded onto the next line.
    assert.equal(hasUsableTopVia(b(`${head}Via\r\n : SIP/2.0/UDP h\r\n\r\n`)), false);
    assert.equal(hasUsableTopVia(b(`${head}Via: SIP/2.0/UDP h;;\r\nVia: SIP/2.0/UDP k\r\n\r\n`)), false);
    assert.equal(hasUsableTopVia(b(`${head}From: <sip:a@b>\r\n\r\n`)), false);
  });

  test('viaValues lists every Via value with bare CR / LF blanked', () => {
    const msg = b('SIP/2.0 200 OK\r\nVia: a\r\nv:  b \n c \r\nTo: x\r\n\r\n');
    assert.deepEqual(viaValues(msg), ['a', 'b   c']);
  });

  test('chunk splits a buffer into pieces that concatenate back to it', () => {
    const data = corpus('invite-sdp');
    for (let seed = 0; seed < 20; seed++) {
      const pieces = chunk(data, new Prng(seed));
      assert.ok(Buffer.concat(pieces).equals(data));
    }
  });

  test('the accepted rejections are the §8.2 statuses plus 513 for oversized stream messages', () => {
    assert.deepEqual([...ACCEPTED_REJECTIONS.keys()].sort(), [400, 405, 406, 415, 416, 420, 501, 505, 513]);
  });
});

describe('checkCase', () => {
  test('a well-formed INVITE passes every invariant on both paths', () => {
    const result = checkCase(corpus('invite-sdp'), { chunkSeed: 3 });
    assert.deepEqual(result.violations, []);
    assert.ok(result.outcomes.includes('udp:deliver:request'));
    assert.ok(result.outcomes.includes('tcp:deliver:request'));
    assert.equal(result.pipelineMs, 0, 'no clock: no time is read');
  });

  test('a clock makes it report the time spent in the pipeline', () => {
    let now = 0;
    const result = checkCase(corpus('options'), { chunkSeed: 3, clock: () => (now += 1) });
    assert.ok(result.pipelineMs > 0);
  });

  test('a 400 answered by the real pipeline passes: Via copied, tag added, Warning present', () => {
    const data = b(corpus('options').toString('latin1').replace('CSeq: 63104 OPTIONS', 'CSeq: x OPTIONS'));
    const result = checkCase(data, { chunkSeed: 3 });
    assert.deepEqual(result.violations, []);
    assert.ok(result.outcomes.includes('udp:respond:400'));
  });

  // The checker must be able to fail: each broken pipeline below breaks one invariant.
  test('a pipeline that drops a request with a usable Via breaks request-answered', () => {
    const drop = broken(() => ({ action: 'drop', reason: 'lost' }));
    assert.ok(invariantsOf(corpus('options'), drop).has('request-answered'));
  });

  test('a pipeline that throws breaks no-untyped-exception', () => {
    const thrower = broken(() => {
      throw new TypeError('boom');
    });
    assert.ok(invariantsOf(corpus('options'), thrower).has('no-untyped-exception'));
  });

  function answering(status: number, options: { warning?: boolean } = {}): Pipeline {
    return broken((data) => {
      const request = parseMessageOrThrow(data, { datagram: true }) as SipRequest;
      const headers: Record<string, string> =
        options.warning === false ? {} : { Warning: formatWarning('test') };
      const response = createResponse(request, status, { toTag: 'x', headers });
      return { action: 'respond', response: response.toBuffer(), status, reason: 'test' };
    });
  }

  test('answering with a status outside the accepted set breaks accepted-status', () => {
    assert.ok(invariantsOf(corpus('options'), answering(499)).has('accepted-status'));
  });

  test('answering an ACK breaks never-answer-ack', () => {
    assert.ok(invariantsOf(corpus('ack'), answering(400)).has('never-answer-ack'));
  });

  test('answering a response breaks never-answer-response', () => {
    const answer: Pipeline = broken(() => {
      const response = createResponse(parseMessageOrThrow(corpus('options')) as SipRequest, 400, {
        toTag: 'x',
        headers: { Warning: formatWarning('test') },
      });
      return { action: 'respond', response: response.toBuffer(), status: 400, reason: 'test' };
    });
    assert.ok(invariantsOf(corpus('180-ringing'), answer).has('never-answer-response'));
  });

  test('a rejection without a Warning breaks well-formed-rejection', () => {
    assert.ok(
      invariantsOf(corpus('options'), answering(400, { warning: false })).has('well-formed-rejection'),
    );
  });

  test('delivering a request whose From does not parse breaks validated-fields-readable', () => {
    const data = b(corpus('options').toString('latin1').replace('From: "Ping" <sip:', 'From: "Ping <sip:'));
    const deliver = broken((d): IncomingDecision => ({
      action: 'deliver',
      message: parseMessageOrThrow(d, { datagram: true }),
    }));
    assert.ok(invariantsOf(data, deliver).has('validated-fields-readable'));
  });

  test('deciding otherwise over TCP for the same whole message breaks transport-agreement', () => {
    const tcpDrops = broken((d, transport, policy): IncomingDecision =>
      transport === 'udp' ? classifyIncoming(d, transport, policy) : { action: 'drop', reason: 'tcp' },
    );
    assert.ok(invariantsOf(corpus('180-ringing'), tcpDrops).has('transport-agreement'));
  });

  test('a framed message delivered with octets after its body breaks framer-agreement', () => {
    const trailing = broken((d, transport, policy): IncomingDecision => {
      const decision = classifyIncoming(d, transport, policy);
      return decision.action === 'deliver' && transport !== 'udp' ? { ...decision, trailing: 3 } : decision;
    });
    assert.ok(invariantsOf(corpus('options'), trailing).has('framer-agreement'));
  });
});
