import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AuthInvalidOptionsError,
  computeHa1Set,
  DigestClient,
  DigestServer,
  parseChallenge,
  parseCredentials,
  readDigestChallenge,
  serializeCredentials,
  type CredentialLookup,
  type DigestAlgorithm,
  type DigestHashName,
  type DigestServerOptions,
  type DigestVerifyResult,
} from '../../src/auth/index.js';
import { RFC7616_EXAMPLE as E } from './rfc7616-vectors.js';

const REALM = 'svpn.example';
const URI = 'sip:svpn.example';
const T0 = 1_750_000_000_000;
const PASSWORD = 'correct horse battery staple';

/** A credential store holding H(A1) values only, and a record of every lookup. */
function store(users: Record<string, string> = { alice: PASSWORD }) {
  const rows = new Map<string, Partial<Record<DigestHashName, string>>>();
  for (const [username, password] of Object.entries(users)) {
    rows.set(username, computeHa1Set({ username, realm: REALM, password }));
  }
  const calls: Array<[string, string, DigestHashName]> = [];
  const lookup: CredentialLookup = async (username, realm, algorithm) => {
    calls.push([username, realm, algorithm]);
    return realm === REALM ? rows.get(username)?.[algorithm] : undefined;
  };
  return { rows, calls, lookup };
}

function setup(options: Partial<DigestServerOptions> = {}) {
  const clock = { t: T0 };
  const server = new DigestServer({
    realm: REALM,
    secret: 'a shared cluster secret',
    now: () => clock.t,
    ...options,
  });
  return { clock, server, ...store() };
}

function failure(result: DigestVerifyResult) {
  assert.equal(result.ok, false, 'expected a refusal');
  if (result.ok) throw new Error('unreachable');
  return result;
}

/** Builds credentials for the server's preferred challenge, as a UA would after a 401. */
function answer(
  challenge: readonly string[],
  overrides: {
    username?: string;
    password?: string;
    uri?: string;
    nc?: number;
    algorithms?: DigestAlgorithm[];
  } = {},
  client = new DigestClient(overrides.algorithms ? { algorithms: overrides.algorithms } : {}),
): string {
  return client.authorizeAny({
    challenges: challenge,
    method: 'REGISTER',
    uri: overrides.uri ?? URI,
    username: overrides.username ?? 'alice',
    password: overrides.password ?? PASSWORD,
    ...(overrides.nc !== undefined && { nc: overrides.nc }),
  });
}

/** Rewrites one parameter of a credentials value. */
function withParam(value: string, name: string, v: string | undefined): string {
  const h = parseCredentials(value);
  const params: Record<string, string> = { ...h.params };
  if (v === undefined) delete params[name];
  else params[name] = v;
  return serializeCredentials({ scheme: h.scheme, params });
}

describe('DigestServer.challenge', () => {
  it('RFC 8760 §2.4 — one challenge per algorithm, SHA-256 first then MD5, same nonce, qop="auth"', () => {
    const { server } = setup();
    const values = server.challenge();
    assert.equal(values.length, 2);
    const [sha, md5] = values.map((v) => readDigestChallenge(parseChallenge(v)));
    assert.equal(sha?.algorithm, 'SHA-256');
    assert.equal(md5?.algorithm, 'MD5');
    assert.equal(sha?.realm, REALM);
    assert.equal(sha?.nonce, md5?.nonce);
    assert.deepEqual(sha?.qop, ['auth']);
    assert.equal(sha?.stale, false);
    assert.match(
      values[0] ?? '',
      /^Digest realm="svpn\.example", nonce="[A-Za-z0-9_-]{43}", algorithm=SHA-256, qop="auth"$/,
    );
  });

  it('RFC 7616 §3.3 — stale: true adds stale=true; every call carries a new nonce', () => {
    const { server } = setup();
    const a = readDigestChallenge(parseChallenge(server.challenge({ stale: true })[0] ?? ''));
    const b = readDigestChallenge(parseChallenge(server.challenge()[0] ?? ''));
    assert.equal(a.stale, true);
    assert.notEqual(a.nonce, b.nonce);
  });

  it('offers the configured algorithms and qop in the configured order', () => {
    const { server } = setup({
      algorithms: ['SHA-512-256', 'SHA-256-sess', 'MD5'],
      qop: ['auth', 'auth-int'],
    });
    const got = server.challenge().map((v) => readDigestChallenge(parseChallenge(v)));
    assert.deepEqual(
      got.map((c) => c.algorithm),
      ['SHA-512-256', 'SHA-256-sess', 'MD5'],
    );
    assert.deepEqual(got[0]?.qop, ['auth', 'auth-int']);
  });

  it('refuses inconsistent options with AuthInvalidOptionsError', () => {
    const bad: Array<Partial<DigestServerOptions>> = [
      { realm: '' },
      { realm: 'a\r\nb' },
      { algorithms: [] },
      { algorithms: ['SHA-1' as DigestAlgorithm] },
      { algorithms: ['MD5', 'MD5'] },
      { qop: [] },
      { secret: 'short' },
      { nonceLifetimeMs: 0 },
      { maxTrackedNonces: 0 },
    ];
    for (const options of bad) {
      assert.throws(() => setup(options), AuthInvalidOptionsError, JSON.stringify(options));
    }
  });
});

describe('DigestServer.verify — round trips with DigestClient', () => {
  for (const algorithm of ['SHA-256', 'MD5'] as const) {
    it(`accepts ${algorithm} credentials built from its challenge`, async () => {
      const { server, lookup, calls } = setup();
      const authorization = answer(server.challenge(), { algorithms: [algorithm] });
      assert.match(authorization, new RegExp(`algorithm=${algorithm},`));
      const result = await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup });
      assert.deepEqual(result, { ok: true, username: 'alice', algorithm, qop: 'auth', nc: 1 });
      assert.deepEqual(calls, [['alice', REALM, algorithm]]);
    });
  }

  it('a client supporting both answers the SHA-256 challenge (strongest)', async () => {
    const { server, lookup } = setup();
    const result = await server.verify({
      method: 'REGISTER',
      uri: URI,
      authorization: answer(server.challenge()),
      lookup,
    });
    assert.equal(result.ok && result.algorithm, 'SHA-256');
  });

  for (const algorithm of ['SHA-512-256', 'SHA-512-256-sess', 'SHA-256-sess', 'MD5-sess'] as const) {
    it(`accepts ${algorithm} when offered`, async () => {
      const { server, lookup, calls } = setup({ algorithms: [algorithm] });
      const result = await server.verify({
        method: 'REGISTER',
        uri: URI,
        authorization: answer(server.challenge()),
        lookup,
      });
      assert.equal(result.ok, true);
      assert.equal(
        calls[0]?.[2],
        algorithm.replace('-sess', ''),
        'lookup is asked for the hash, not the -sess name',
      );
    });
  }

  it('RFC 7616 §3.4.3 — qop=auth-int covers the body: the same body passes, a changed body fails', async () => {
    const { server, lookup } = setup({ qop: ['auth-int'] });
    const client = new DigestClient();
    const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
    const authorization = client.authorizeAny({
      challenges: server.challenge(),
      method: 'INVITE',
      uri: 'sip:bob@svpn.example',
      username: 'alice',
      password: PASSWORD,
      body,
    });
    assert.match(authorization, /qop=auth-int/);
    const ok = await server.verify({
      method: 'INVITE',
      uri: 'sip:bob@svpn.example',
      authorization,
      lookup,
      body,
    });
    assert.equal(ok.ok, true);
    const tampered = await server.verify({
      method: 'INVITE',
      uri: 'sip:bob@svpn.example',
      authorization, // digest is checked before nc, so the changed body is what fails
      lookup,
      body: body + 'x',
    });
    assert.equal(failure(tampered).reason, 'bad-response');
  });

  it('HA1-only storage: the server gets H(A1) from the store and never the password', async () => {
    const { server, lookup, rows, calls } = setup();
    for (const row of rows.values()) {
      for (const ha1 of Object.values(row)) assert.match(ha1 ?? '', /^[0-9a-f]{32}([0-9a-f]{32})?$/);
    }
    assert.ok(!JSON.stringify([...rows]).includes(PASSWORD));
    const authorization = answer(server.challenge());
    assert.ok(!authorization.includes(PASSWORD), 'the password is not on the wire');
    const result = await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup });
    assert.equal(result.ok, true);
    assert.ok(!JSON.stringify(calls).includes(PASSWORD));
  });

  it('a client holding only H(A1) authenticates too', async () => {
    const { server, lookup, rows } = setup();
    const authorization = new DigestClient().authorizeAny({
      challenges: server.challenge(),
      method: 'REGISTER',
      uri: URI,
      username: 'alice',
      ha1: rows.get('alice') ?? {},
    });
    assert.equal((await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).ok, true);
  });

  it('servers sharing a secret accept each other’s nonces (a cluster); another secret answers stale', async () => {
    const { server, lookup, clock } = setup();
    const peer = new DigestServer({ realm: REALM, secret: 'a shared cluster secret', now: () => clock.t });
    const stranger = new DigestServer({
      realm: REALM,
      secret: 'some other secret value',
      now: () => clock.t,
    });
    const authorization = answer(server.challenge());
    assert.equal((await peer.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).ok, true);
    const r = failure(await stranger.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'stale');
  });
});

describe('DigestServer.verify — refusals', () => {
  it('no Authorization → missing, with a fresh non-stale challenge', async () => {
    const { server, lookup } = setup();
    for (const authorization of [undefined, [], '', '   ']) {
      const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
      assert.equal(r.reason, 'missing');
      assert.equal(r.challenge.length, 2);
      assert.ok(r.challenge.every((c) => !c.includes('stale')));
    }
  });

  it('wrong password → bad-response (stale not set: the user must re-enter credentials)', async () => {
    const { server, lookup } = setup();
    const authorization = answer(server.challenge(), { password: 'wrong' });
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'bad-response');
    assert.equal(r.username, 'alice');
    assert.ok(r.challenge.every((c) => !c.includes('stale')));
  });

  it('a changed method or response digit → bad-response', async () => {
    const { server, lookup } = setup();
    const authorization = answer(server.challenge());
    assert.equal(
      failure(await server.verify({ method: 'INVITE', uri: URI, authorization, lookup })).reason,
      'bad-response',
    );
    const response = parseCredentials(authorization).params['response'] ?? '';
    const flipped = withParam(
      authorization,
      'response',
      (response[0] === '0' ? '1' : '0') + response.slice(1),
    );
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: flipped, lookup })).reason,
      'bad-response',
    );
    const short = withParam(authorization, 'response', response.slice(2));
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: short, lookup })).reason,
      'bad-response',
    );
  });

  it('RFC 7616 §3.3 — expired nonce with a correct response → stale, challenge has stale=true', async () => {
    const { server, lookup, clock } = setup();
    const authorization = answer(server.challenge());
    clock.t += 300_001;
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'stale');
    assert.ok(r.challenge.every((c) => readDigestChallenge(parseChallenge(c)).stale));
    // the new challenge's nonce works
    const retry = answer(r.challenge);
    assert.equal(
      (await server.verify({ method: 'REGISTER', uri: URI, authorization: retry, lookup })).ok,
      true,
    );
  });

  it('a nonce is still accepted at exactly its lifetime (300 s)', async () => {
    const { server, lookup, clock } = setup();
    const authorization = answer(server.challenge());
    clock.t += 300_000;
    assert.equal((await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).ok, true);
  });

  it('nonceLifetimeMs shortens the lifetime', async () => {
    const { server, lookup, clock } = setup({ nonceLifetimeMs: 1000 });
    const authorization = answer(server.challenge());
    clock.t += 1001;
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).reason,
      'stale',
    );
  });

  it('expired nonce with a wrong password → bad-response, not stale', async () => {
    const { server, lookup, clock } = setup();
    const authorization = answer(server.challenge(), { password: 'wrong' });
    clock.t += 600_000;
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'bad-response');
    assert.ok(r.challenge.every((c) => !c.includes('stale')));
  });

  it('RFC 7616 §5.5 — the same request again (same nc) → replay', async () => {
    const { server, lookup } = setup();
    const authorization = answer(server.challenge());
    assert.equal((await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).ok, true);
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'replay');
    assert.ok(r.challenge.every((c) => readDigestChallenge(parseChallenge(c)).stale));
  });

  it('nc increasing on one nonce is accepted; a lower nc afterwards is a replay', async () => {
    const { server, lookup } = setup();
    const challenge = server.challenge();
    const client = new DigestClient();
    const results: Array<number | boolean | string> = [];
    for (const nc of [undefined, undefined, 5, 3, 6]) {
      const authorization = answer(challenge, nc === undefined ? {} : { nc }, client);
      const r = await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup });
      results.push(r.ok ? (r.nc ?? true) : r.reason);
    }
    assert.deepEqual(results, [1, 2, 5, 'replay', 6]);
  });

  it('a forged request (bad digest) cannot push the counter: the real nc still passes afterwards', async () => {
    const { server, lookup } = setup();
    const challenge = server.challenge();
    const forged = answer(challenge, { password: 'guess', nc: 0xffffffff });
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: forged, lookup })).reason,
      'bad-response',
    );
    const real = answer(challenge, { nc: 1 });
    assert.equal(
      (await server.verify({ method: 'REGISTER', uri: URI, authorization: real, lookup })).ok,
      true,
    );
  });

  it('tampered nonce: the captured response no longer matches → bad-response', async () => {
    const { server, lookup } = setup();
    const authorization = answer(server.challenge());
    const nonce = parseCredentials(authorization).params['nonce'] ?? '';
    const tampered = nonce.slice(0, 3) + (nonce[3] === 'A' ? 'B' : 'A') + nonce.slice(4);
    const r = failure(
      await server.verify({
        method: 'REGISTER',
        uri: URI,
        authorization: withParam(authorization, 'nonce', tampered),
        lookup,
      }),
    );
    assert.equal(r.reason, 'bad-response');
  });

  it('tampered nonce answered by a client that knows the password → stale (nonce not ours), never ok', async () => {
    const { server, lookup } = setup();
    const challenge = server.challenge()[0] ?? '';
    const nonce = readDigestChallenge(parseChallenge(challenge)).nonce;
    // move the timestamp forward to try to extend the nonce's life
    const forged = challenge.replace(
      nonce,
      nonce.slice(0, 6) + (nonce[6] === 'z' ? 'y' : 'z') + nonce.slice(7),
    );
    const r = failure(
      await server.verify({ method: 'REGISTER', uri: URI, authorization: answer([forged]), lookup }),
    );
    assert.equal(r.reason, 'stale');
  });

  it('RFC 7616 §3.9.1 — the RFC’s own Authorization computes correctly but its nonce is not ours → stale', async () => {
    const server = new DigestServer({ realm: E.realm, now: () => T0 });
    const ha1s = computeHa1Set({ username: E.username, realm: E.realm, password: E.password });
    const lookup: CredentialLookup = async (u, _r, a) => (u === E.username ? ha1s[a] : undefined);
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      const authorization =
        `Digest username="${E.username}", realm="${E.realm}", uri="${E.uri}", algorithm=${algorithm}, ` +
        `nonce="${E.nonce}", nc=${E.nc}, cnonce="${E.cnonce}", qop=auth, response="${E.responses[algorithm]}", opaque="${E.opaque}"`;
      const r = failure(await server.verify({ method: E.method, uri: E.uri, authorization, lookup }));
      assert.equal(r.reason, 'stale', algorithm);
      const wrong = authorization.replace(E.responses[algorithm].slice(0, 4), 'ffff');
      assert.equal(
        failure(await server.verify({ method: E.method, uri: E.uri, authorization: wrong, lookup })).reason,
        'bad-response',
      );
    }
  });

  it('unknown scheme → unknown-scheme, answered with fresh Digest challenges', async () => {
    const { server, lookup } = setup();
    for (const authorization of [
      'NoOneKnowsThisScheme opaque-data=here',
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    ]) {
      const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
      assert.equal(r.reason, 'unknown-scheme');
      assert.ok(r.challenge.every((c) => c.startsWith('Digest ')));
    }
  });

  it('malformed params → malformed (unterminated quote, duplicate, missing response, bad nc, unknown qop)', async () => {
    const { server, lookup } = setup();
    const good = answer(server.challenge());
    const cases = [
      'Digest username="alice, realm="svpn.example"',
      good + ', realm="svpn.example"',
      withParam(good, 'response', undefined),
      withParam(good, 'nc', 'zz'),
      withParam(good, 'qop', 'auth-conf'),
      withParam(good, 'qop', 'auth-int'),
      withParam(withParam(good, 'qop', undefined), 'nc', undefined),
    ];
    for (const authorization of cases) {
      const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
      assert.equal(r.reason, 'malformed', authorization);
    }
  });

  it('realm other than ours → realm-mismatch', async () => {
    const { server, lookup } = setup();
    const authorization = withParam(answer(server.challenge()), 'realm', 'elsewhere.example');
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).reason,
      'realm-mismatch',
    );
  });

  it('uri must be the Request-URI string exactly; the check is skipped when no uri is given', async () => {
    const { server, lookup } = setup();
    const challenge = server.challenge();
    const client = new DigestClient();
    const other = answer(challenge, { uri: 'sip:other.example' }, client);
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: other, lookup }));
    assert.equal(r.reason, 'uri-mismatch');
    // same resource, different spelling: still refused (exact string rule)
    const upper = answer(challenge, { uri: 'sip:SVPN.example' }, client);
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: upper, lookup })).reason,
      'uri-mismatch',
    );
    assert.equal((await server.verify({ method: 'REGISTER', authorization: other, lookup })).ok, true);
  });

  it('unknown user → unknown-user', async () => {
    const { server, lookup } = setup();
    const authorization = answer(server.challenge(), { username: 'mallory' });
    const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
    assert.equal(r.reason, 'unknown-user');
    assert.equal(r.username, 'mallory');
  });

  it('an algorithm not offered (or unknown, or absent = MD5 when only SHA-256 is offered) → algorithm', async () => {
    const { server, lookup } = setup({ algorithms: ['SHA-256'] });
    const md5Server = setup({ algorithms: ['MD5'] }).server;
    const md5Answer = answer(md5Server.challenge());
    assert.match(md5Answer, /algorithm=MD5/);
    const cases = [
      md5Answer,
      withParam(md5Answer, 'algorithm', 'SHA-1'),
      withParam(md5Answer, 'algorithm', undefined),
    ];
    for (const authorization of cases) {
      const r = failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup }));
      assert.equal(r.reason, 'algorithm', authorization);
    }
  });

  it('RFC 3261 §22.4 — RFC 2069 credentials (no qop) are accepted once per nonce', async () => {
    const { server, lookup } = setup({ algorithms: ['MD5'] });
    const nonce = readDigestChallenge(parseChallenge(server.challenge()[0] ?? '')).nonce;
    const legacyChallenge = `Digest realm="${REALM}", nonce="${nonce}"`;
    const authorization = answer([legacyChallenge]);
    assert.doesNotMatch(authorization, /qop|nc=|cnonce/);
    const first = await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup });
    assert.deepEqual(first, { ok: true, username: 'alice', algorithm: 'MD5' });
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).reason,
      'replay',
    );
  });

  it('acceptRfc2069: false refuses credentials without qop as malformed', async () => {
    const { server, lookup } = setup({ algorithms: ['MD5'], acceptRfc2069: false });
    const nonce = readDigestChallenge(parseChallenge(server.challenge()[0] ?? '')).nonce;
    const authorization = answer([`Digest realm="${REALM}", nonce="${nonce}"`]);
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).reason,
      'malformed',
    );
  });

  it('RFC 3261 §22.3 — of several Authorization values, the Digest one for our realm is verified', async () => {
    const { server, lookup } = setup();
    const ours = answer(server.challenge());
    const theirs = withParam(ours, 'realm', 'proxy.example');
    const result = await server.verify({
      method: 'REGISTER',
      uri: URI,
      authorization: ['Basic abc=', 'Digest realm="x', theirs, ours],
      lookup,
    });
    assert.equal(result.ok, true);
    const none = failure(
      await server.verify({ method: 'REGISTER', uri: URI, authorization: [theirs], lookup }),
    );
    assert.equal(none.reason, 'realm-mismatch');
  });

  it('bounded memory: at most maxTrackedNonces nonces; a forgotten nonce is answered stale, never accepted', async () => {
    const { server, lookup, clock } = setup({ maxTrackedNonces: 2 });
    const used: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.t += 1;
      const authorization = answer(server.challenge());
      used.push(authorization);
      assert.equal((await server.verify({ method: 'REGISTER', uri: URI, authorization, lookup })).ok, true);
    }
    assert.equal(server.trackedNonces, 2);
    // the first nonce was evicted: even its exact replay cannot be told apart, so it is refused as stale
    assert.equal(
      failure(await server.verify({ method: 'REGISTER', uri: URI, authorization: used[0], lookup })).reason,
      'stale',
    );
    // a nonce issued after the eviction is fine
    clock.t += 1;
    assert.equal(
      (
        await server.verify({
          method: 'REGISTER',
          uri: URI,
          authorization: answer(server.challenge()),
          lookup,
        })
      ).ok,
      true,
    );
  });

  it('a lookup returning something that is not H(A1) hex is a bug: verify rejects', async () => {
    const { server } = setup();
    await assert.rejects(
      server.verify({
        method: 'REGISTER',
        uri: URI,
        authorization: answer(server.challenge()),
        lookup: async () => PASSWORD,
      }),
      AuthInvalidOptionsError,
    );
  });
});
