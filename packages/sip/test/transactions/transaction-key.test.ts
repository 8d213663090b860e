import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TransactionKeyError,
  clientTransactionKey,
  normalizeSentBy,
  serverAckKey,
  serverTransactionKey,
  type ServerKeyInput,
} from '../../src/transactions/index.js';

describe('client transaction keys (RFC 3261 §17.1.3)', () => {
  it('"the response matches a client transaction … if the branch parameter in the top Via … matches" and the CSeq method matches', () => {
    const sent = clientTransactionKey({ branch: 'z9hG4bK776asdhds', cseqMethod: 'INVITE' });
    assert.equal(clientTransactionKey({ branch: 'z9hG4bK776asdhds', cseqMethod: 'INVITE' }), sent);
    assert.notEqual(clientTransactionKey({ branch: 'z9hG4bK776asdhdt', cseqMethod: 'INVITE' }), sent);
  });

  it('"a CANCEL request constitutes a different transaction, but shares the same value of the branch parameter"', () => {
    const invite = clientTransactionKey({ branch: 'z9hG4bKnashds8', cseqMethod: 'INVITE' });
    const cancel = clientTransactionKey({ branch: 'z9hG4bKnashds8', cseqMethod: 'CANCEL' });
    assert.notEqual(invite, cancel);
  });

  it('branch values compare case-insensitively (§7.3.1); methods are case-sensitive (§7.1)', () => {
    assert.equal(
      clientTransactionKey({ branch: 'z9hG4bKAbC', cseqMethod: 'BYE' }),
      clientTransactionKey({ branch: 'z9hg4bkabc', cseqMethod: 'BYE' }),
    );
    assert.notEqual(
      clientTransactionKey({ branch: 'z9hG4bKabc', cseqMethod: 'BYE' }),
      clientTransactionKey({ branch: 'z9hG4bKabc', cseqMethod: 'bye' }),
    );
  });

  it('never gives two different (method, branch) pairs one key, wherever the fields split', () => {
    assert.notEqual(
      clientTransactionKey({ branch: 'Xz9hG4bK1', cseqMethod: 'INVITE' }),
      clientTransactionKey({ branch: 'z9hG4bK1', cseqMethod: 'INVITEX' }),
    );
    assert.notEqual(
      clientTransactionKey({ branch: '6:INVITEz9hG4bK1', cseqMethod: 'BYE' }),
      clientTransactionKey({ branch: 'z9hG4bK1', cseqMethod: 'INVITE' }),
    );
  });

  it('rejects an empty branch or method', () => {
    assert.throws(() => clientTransactionKey({ branch: '', cseqMethod: 'INVITE' }), TransactionKeyError);
    assert.throws(
      () => clientTransactionKey({ branch: 'z9hG4bK1', cseqMethod: '' }),
      (error: unknown) => error instanceof TransactionKeyError && error.field === 'cseqMethod',
    );
  });
});

describe('server transaction keys — RFC 3261 clients (§17.2.3)', () => {
  const invite: ServerKeyInput = {
    method: 'INVITE',
    branch: 'z9hG4bK74bf9',
    sentBy: { host: 'pc33.atlanta.com' },
    transport: 'UDP',
  };

  it('"the branch parameter in the request is equal to the one in the top Via … of the request that created the transaction"', () => {
    assert.equal(serverTransactionKey({ ...invite }), serverTransactionKey(invite));
    assert.notEqual(
      serverTransactionKey({ ...invite, branch: 'z9hG4bK74bfa' }),
      serverTransactionKey(invite),
    );
  });

  it('"the sent-by value in the top Via of the request is equal to the one in the request that created the transaction"', () => {
    assert.notEqual(
      serverTransactionKey({ ...invite, sentBy: { host: 'pc34.atlanta.com' } }),
      serverTransactionKey(invite),
    );
    assert.notEqual(
      serverTransactionKey({ ...invite, sentBy: { host: 'pc33.atlanta.com', port: 5070 } }),
      serverTransactionKey(invite),
    );
  });

  it('sent-by compares with the host case-insensitively and the default port made explicit', () => {
    assert.equal(
      serverTransactionKey({ ...invite, sentBy: { host: 'PC33.Atlanta.COM', port: 5060 } }),
      serverTransactionKey(invite),
    );
    assert.equal(normalizeSentBy({ host: 'Example.COM' }, 'TLS'), 'example.com:5061');
    assert.equal(normalizeSentBy({ host: '2001:DB8::1', port: 5062 }), '[2001:db8::1]:5062');
    assert.equal(normalizeSentBy({ host: '[2001:db8::1]' }, 'udp'), '[2001:db8::1]:5060');
    assert.throws(() => normalizeSentBy({ host: 'a', port: 70_000 }), TransactionKeyError);
  });

  it('"the method of the request matches the one that created the transaction, except for ACK, where the method of the request that created the transaction is INVITE"', () => {
    assert.equal(serverTransactionKey({ ...invite, method: 'ACK' }), serverTransactionKey(invite));
    assert.equal(serverAckKey(invite, 'a6c85cf'), serverTransactionKey(invite));
  });

  it("a CANCEL with the INVITE's branch matches a transaction of its own", () => {
    assert.notEqual(serverTransactionKey({ ...invite, method: 'CANCEL' }), serverTransactionKey(invite));
  });

  it('the RFC 2543 fields play no part when the branch has the magic cookie', () => {
    assert.equal(
      serverTransactionKey({ ...invite, requestUri: 'sip:a@b', callId: 'x', cseqSeq: 9, toTag: 't' }),
      serverTransactionKey(invite),
    );
  });
});

describe('server transaction keys — RFC 2543 fallback (§17.2.3)', () => {
  // Modelled on RFC 4475 §3.4.1 (inv2543): no branch, no From tag.
  const invite: ServerKeyInput = {
    method: 'INVITE',
    sentBy: { host: 'host.example.com' },
    transport: 'UDP',
    requestUri: 'sip:user@company.com',
    callId: '0ha0isndaksdj@10.0.0.1',
    cseqSeq: 8,
    cseqMethod: 'INVITE',
    topVia: 'SIP/2.0/UDP host.example.com;received=10.1.1.1',
  };

  it('"The INVITE request matches a transaction if the Request-URI, To tag, From tag, Call-ID, CSeq, and top Via header field match"', () => {
    const key = serverTransactionKey(invite);
    assert.equal(serverTransactionKey({ ...invite }), key);
    for (const change of [
      { requestUri: 'sip:other@company.com' },
      { toTag: 'x1' },
      { fromTag: 'f1' },
      { callId: 'another@10.0.0.1' },
      { cseqSeq: 9 },
      { topVia: 'SIP/2.0/UDP host.example.com:5070' },
    ]) {
      assert.notEqual(serverTransactionKey({ ...invite, ...change }), key, JSON.stringify(change));
    }
  });

  it('a branch without the magic cookie, or the bare cookie (RFC 4475 badbranch), uses the RFC 2543 rule', () => {
    const key = serverTransactionKey(invite);
    assert.equal(serverTransactionKey({ ...invite, branch: '' }), key);
    assert.ok(serverTransactionKey({ ...invite, branch: 'z9hG4bK' }).startsWith('["2543"'));
    assert.ok(serverTransactionKey({ ...invite, branch: '1234abcd' }).startsWith('["2543"'));
    assert.ok(serverTransactionKey({ ...invite, branch: 'z9hG4bK1' }).startsWith('s'));
  });

  it('"The ACK request matches a transaction if the Request-URI, From tag, Call-ID, CSeq number (not the method), and top Via … match … and the To tag of the ACK matches the To tag of the response sent"', () => {
    const ack: ServerKeyInput = { ...invite, method: 'ACK', cseqMethod: 'ACK', toTag: 'resp-tag-1' };
    assert.equal(serverTransactionKey(ack), serverAckKey(invite, 'resp-tag-1'));
    assert.notEqual(serverTransactionKey(ack), serverAckKey(invite, 'resp-tag-2'));
    // The INVITE itself carried no To tag, so the ACK needs the alias key to find it.
    assert.notEqual(serverTransactionKey(ack), serverTransactionKey(invite));
  });

  it('"For all other request methods … CSeq (including the method)" must match', () => {
    const bye = { ...invite, method: 'BYE', cseqMethod: 'BYE' };
    const options = { ...invite, method: 'OPTIONS', cseqMethod: 'OPTIONS' };
    assert.notEqual(serverTransactionKey(bye), serverTransactionKey(options));
    assert.notEqual(serverTransactionKey(bye), serverTransactionKey(invite));
  });

  it('tags compare case-insensitively, Call-IDs byte for byte (§8.1.1.4)', () => {
    assert.equal(
      serverTransactionKey({ ...invite, fromTag: 'AbC' }),
      serverTransactionKey({ ...invite, fromTag: 'abc' }),
    );
    assert.notEqual(
      serverTransactionKey({ ...invite, callId: 'ABC@host' }),
      serverTransactionKey({ ...invite, callId: 'abc@host' }),
    );
  });

  it('without a topVia string, the transport and sent-by stand for the top Via', () => {
    const { topVia: _unused, ...noVia } = invite;
    assert.equal(
      serverTransactionKey({ ...noVia, sentBy: { host: 'HOST.example.com', port: 5060 } }),
      serverTransactionKey(noVia),
    );
  });

  for (const field of ['requestUri', 'callId', 'cseqSeq'] as const) {
    it(`the RFC 2543 rule needs ${field}`, () => {
      assert.throws(
        () => serverTransactionKey({ ...invite, [field]: undefined }),
        (error: unknown) => error instanceof TransactionKeyError && error.field === field,
      );
    });
  }
});
