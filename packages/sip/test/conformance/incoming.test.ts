import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyIncoming, parseMessageOrThrow } from '@svpn/sip';

const OPTIONS = [
  'OPTIONS sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@biloxi.example.com>',
  'From: <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 63104 OPTIONS',
];
const wire = (lines: string[], body = ''): Buffer => Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);

describe('classifyIncoming (the receive pipeline of the UA core)', () => {
  test('delivers a valid request, with trailing octets reported', () => {
    const d = classifyIncoming(wire([...OPTIONS, 'Content-Length: 0'], 'junk'), 'udp');
    assert.equal(d.action, 'deliver');
    assert.equal(d.action === 'deliver' && d.trailing, 4);
  });
  test('answers a refused request with a serialized response and our Warning agent', () => {
    const d = classifyIncoming(wire([...OPTIONS, 'Require: foo', 'Content-Length: 0']), 'udp', {
      warnAgent: 'gw.example.net',
    });
    assert.equal(d.action, 'respond');
    if (d.action !== 'respond') return;
    assert.equal(d.status, 420);
    const r = parseMessageOrThrow(d.response);
    assert.equal(r.kind, 'response');
    assert.equal(r.headers.get('Unsupported'), 'foo');
    assert.match(
      r.headers.get('Warning') ?? '',
      /^399 gw\.example\.net "Unsupported extension required: foo"$/,
    );
    assert.ok(r.to.tag);
  });
  test('never answers an ACK, even a broken one (RFC 3261 §17.2.1)', () => {
    const ack = OPTIONS.map((l) => l.replace(/OPTIONS/g, 'ACK'));
    const bad = classifyIncoming(
      wire([...ack, 'Require: foo', 'Content-Type: x/y', 'Content-Length: 1'], 'z'),
      'udp',
      {
        supportedSchemes: ['tel'],
      },
    );
    assert.equal(bad.action, 'drop');
    const unparseable = classifyIncoming(wire([...ack, 'Content-Length: -1']), 'udp');
    assert.equal(unparseable.action, 'drop');
  });
  test('a request too broken to parse gets 400 when a Via is readable, else is dropped', () => {
    const d = classifyIncoming(wire([...OPTIONS, 'Content-Length: 99']), 'udp');
    assert.equal(d.action === 'respond' && d.status, 400);
    const noVia = classifyIncoming(wire([OPTIONS[0] as string, 'Content-Length: 99']), 'udp');
    assert.equal(noVia.action, 'drop');
    assert.equal(classifyIncoming(Buffer.from('\x00\x01garbage'), 'udp').action, 'drop');
  });
  test('on a stream, a short body means "wait", never a 400', () => {
    const d = classifyIncoming(wire([...OPTIONS, 'Content-Length: 99']), 'tcp');
    assert.equal(d.action, 'drop');
  });
  test('responses: one Via and parseable matching fields, then the transaction matcher decides', () => {
    const resp = [
      'SIP/2.0 200 OK',
      ...OPTIONS.slice(1).filter((l) => !l.startsWith('Max-Forwards')),
      'Content-Length: 0',
    ];
    assert.equal(classifyIncoming(wire(resp), 'udp').action, 'deliver');
    assert.equal(classifyIncoming(wire(resp), 'udp', { matchResponse: () => true }).action, 'deliver');
    const stray = classifyIncoming(wire(resp), 'udp', { matchResponse: () => false });
    assert.equal(stray.action === 'drop' && stray.reason, 'stray response: no matching client transaction');
    const twoVias = classifyIncoming(
      wire([...resp.slice(0, 1), 'Via: SIP/2.0/UDP x.example.com;branch=z9hG4bKx', ...resp.slice(1)]),
      'udp',
    );
    assert.equal(twoVias.action === 'drop' && twoVias.reason, 'response with 2 Via values');
    const noVia = classifyIncoming(wire(resp.filter((l) => !l.startsWith('Via'))), 'udp');
    assert.equal(noVia.action === 'drop' && noVia.reason, 'response with 0 Via values');
    const badVia = classifyIncoming(
      wire(resp.map((l) => (l.startsWith('Via') ? 'Via: SIP/2.0/UDP h;;' : l))),
      'udp',
    );
    assert.equal(badVia.action, 'drop');
  });
});
