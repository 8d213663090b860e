/**
 * The example B2BUA between real peers: SIPp as the caller (A) and SIPp or a SipAgent as the
 * callee (B), all on loopback. Each test is bounded in calls and time and checks both SIPp verdicts
 * and what the B2BUA reported.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SipAgent, type SipRequest } from '@svpn/sip';
import { SIPP_ALL_OK, type SippResult, freePort, runSipp } from '@svpn/test-support';
import { type B2bua, type B2buaEvents, startB2bua } from '../src/b2bua.js';

const scenario = (name: string): string =>
  fileURLToPath(new URL(`../../../packages/sip/test/sipp/scenarios/${name}.xml`, import.meta.url));

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

const ANSWER_SDP =
  'v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

function verdict(result: SippResult): string {
  const { exitCode, successfulCalls, failedCalls, errors } = result;
  return JSON.stringify({ exitCode, successfulCalls, failedCalls, errors: errors.slice(0, 2000) });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** A B2BUA on a free port, closed after the test, with every event it emits recorded. */
async function startExample(
  ctx: TestContext,
  target: string,
): Promise<{ b2bua: B2bua; port: number; events: { [K in keyof B2buaEvents]: B2buaEvents[K][0][] } }> {
  const port = await freePort();
  const b2bua = await startB2bua({ listen: { host: '127.0.0.1', port }, target });
  ctx.after(() => b2bua.close());
  const events = { bridged: [], ended: [], failed: [] } as {
    [K in keyof B2buaEvents]: B2buaEvents[K][0][];
  };
  b2bua.on('bridged', (e) => events.bridged.push(e));
  b2bua.on('ended', (e) => events.ended.push(e));
  b2bua.on('failed', (e) => events.failed.push(e));
  return { b2bua, port, events };
}

/** The B side: SIPp in UAS mode on a free port, started a moment before the A side calls. */
async function sippCallee(options: { builtin?: string; scenarioFile?: string; calls: number }): Promise<{
  port: number;
  done: Promise<SippResult>;
}> {
  const port = await freePort();
  const { done } = runSipp({
    ...(options.scenarioFile === undefined ? { builtin: options.builtin ?? 'uas' } : {}),
    ...(options.scenarioFile === undefined ? {} : { scenarioFile: options.scenarioFile }),
    localPort: port,
    maxCalls: options.calls,
    timeoutMs: 15_000,
  });
  await delay(300);
  return { port, done };
}

async function sippCaller(
  target: number,
  options: { builtin?: string; scenarioFile?: string; calls: number },
): Promise<SippResult> {
  return runSipp({
    ...(options.scenarioFile === undefined ? { builtin: options.builtin ?? 'uac' } : {}),
    ...(options.scenarioFile === undefined ? {} : { scenarioFile: options.scenarioFile }),
    target: `127.0.0.1:${target}`,
    localPort: await freePort(),
    maxCalls: options.calls,
    rate: 10,
    timeoutMs: 15_000,
  }).done;
}

describe('example B2BUA: SIPp UAC → B2BUA → SIPp UAS', { concurrency: true }, () => {
  it('bridges 5 calls: INVITE/180/200/ACK on both legs, A hangs up, the BYE is relayed to B', async (ctx) => {
    const calls = 5;
    const callee = await sippCallee({ calls });
    const { b2bua, port, events } = await startExample(ctx, `sip:uas@127.0.0.1:${callee.port}`);
    const caller = await sippCaller(port, { calls });
    assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
    assert.equal(caller.successfulCalls, calls);
    assert.equal(caller.failedCalls, 0);
    const b = await callee.done;
    assert.equal(b.exitCode, SIPP_ALL_OK, verdict(b));
    assert.equal(b.successfulCalls, calls);
    assert.equal(b.failedCalls, 0);
    assert.equal(events.bridged.length, calls);
    assert.equal(events.failed.length, 0);
    await until(() => events.ended.length === calls, 2_000, 'every call to end');
    assert.ok(
      events.ended.every((e) => e.endedBy === 'a' && e.reason === 'bye'),
      JSON.stringify(events.ended),
    );
    for (const call of events.bridged) assert.notEqual(call.bCallId, call.aCallId);
    assert.equal(b2bua.activeCalls, 0);
    assert.equal(b2bua.agent.dialogs.size, 0);
  });

  it('relays a CANCEL: A gets 200 + 487, B gets the CANCEL, answers 487 and receives our ACK', async (ctx) => {
    const calls = 2;
    const callee = await sippCallee({ scenarioFile: scenario('uas-ring-expect-cancel'), calls });
    const { b2bua, port, events } = await startExample(ctx, `sip:ringing@127.0.0.1:${callee.port}`);
    const caller = await sippCaller(port, { scenarioFile: scenario('uac-cancel-expect-487'), calls });
    assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
    assert.equal(caller.successfulCalls, calls);
    assert.equal(caller.failedCalls, 0);
    const b = await callee.done;
    assert.equal(b.exitCode, SIPP_ALL_OK, verdict(b));
    assert.equal(b.successfulCalls, calls, 'B saw the CANCEL and the ACK for its 487');
    assert.equal(b.failedCalls, 0);
    await until(() => events.failed.length === calls, 2_000, 'the B legs to fail');
    assert.deepEqual(
      events.failed.map((f) => f.status),
      Array(calls).fill(487),
    );
    assert.equal(events.bridged.length, 0);
    assert.equal(b2bua.agent.dialogs.size, 0);
  });

  it('relays a 486 Busy Here from B to A; both sides get their ACK', async (ctx) => {
    const calls = 2;
    const callee = await sippCallee({ scenarioFile: scenario('uas-answer-expect-486'), calls });
    const { b2bua, port, events } = await startExample(ctx, `sip:busy@127.0.0.1:${callee.port}`);
    const caller = await sippCaller(port, { scenarioFile: scenario('uac-invite-expect-486'), calls });
    assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
    assert.equal(caller.successfulCalls, calls, 'A got 486 (its scenario accepts nothing else)');
    assert.equal(caller.failedCalls, 0);
    const b = await callee.done;
    assert.equal(b.exitCode, SIPP_ALL_OK, verdict(b));
    assert.equal(b.successfulCalls, calls);
    await until(() => events.failed.length === calls, 2_000, 'the calls to fail');
    assert.deepEqual(
      events.failed.map((f) => [f.status, f.reason]),
      Array(calls).fill([486, 'Busy Here']),
    );
    assert.equal(b2bua.agent.dialogs.size, 0);
  });

  it('hides the topology: B never sees A’s Call-ID, tags, Via, Contact or headers, nor A B’s', async (ctx) => {
    const calls = 3;
    // Our own UAS on the B side records exactly what reached it.
    const bPort = await freePort();
    const callee = await SipAgent.listen({ listen: { udp: [{ address: '127.0.0.1', port: bPort }] } });
    ctx.after(() => callee.close());
    const bRequests: SipRequest[] = [];
    const bEnded: string[] = [];
    callee.use((req, _res, next) => {
      bRequests.push(req.message);
      next();
    });
    callee.invite(async (req, res) => {
      const dialog = await callee.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('destroy', ({ request, reason }) => {
        bEnded.push(reason);
        if (request !== undefined) bRequests.push(request);
      });
    });
    const { b2bua, port, events } = await startExample(ctx, `sip:callee@127.0.0.1:${bPort}`);
    // What the B2BUA sends towards A.
    const toA: string[] = [];
    const transports = b2bua.agent.stack.transports;
    const send = transports.send.bind(transports);
    transports.send = (protocol, data, target, selector) => {
      if (target.port !== bPort) toA.push(data.toString('latin1'));
      return send(protocol, data, target, selector);
    };
    const aPort = await freePort();
    const caller = await runSipp({
      builtin: 'uac',
      target: `127.0.0.1:${port}`,
      localPort: aPort,
      maxCalls: calls,
      rate: 10,
      timeoutMs: 15_000,
    }).done;
    assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
    assert.equal(caller.successfulCalls, calls);
    await until(() => bEnded.length === calls, 2_000, 'the B legs to end');
    assert.deepEqual(bEnded, Array(calls).fill('bye'));

    const aCallIds = new Set(events.bridged.map((c) => c.aCallId));
    assert.equal(aCallIds.size, calls);
    const invites = bRequests.filter((r) => r.method === 'INVITE');
    const byes = bRequests.filter((r) => r.method === 'BYE');
    assert.equal(invites.length, calls);
    assert.equal(byes.length, calls);
    const b2buaSentBy = new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${port};`);
    for (const request of [...invites, ...byes]) {
      const headers = request.headers;
      assert.ok(!aCallIds.has(request.callId), 'a Call-ID of its own');
      assert.ok(
        events.bridged.some((c) => c.bCallId === request.callId),
        'the Call-ID the B2BUA reported for B',
      );
      const vias = headers.getAll('Via');
      assert.equal(vias.length, 1, 'only the B2BUA’s Via');
      assert.match(vias[0] ?? '', b2buaSentBy);
      assert.doesNotMatch(headers.get('From') ?? '', /sipp|SIPpTag/i);
      assert.ok(!(headers.get('To') ?? '').includes('SIPpTag'), 'A’s To tag leaked');
      assert.ok(!headers.has('Subject'), 'SIPp’s Subject header stays on the A leg');
      assert.ok(!headers.has('Record-Route'), 'no Record-Route from A');
      for (const value of [...vias, headers.get('From') ?? '', headers.get('Contact') ?? '']) {
        assert.ok(!value.includes(`:${aPort}`), `A's address leaked into ${value}`);
      }
    }
    for (const invite of invites) {
      assert.equal(invite.headers.get('Contact'), `<sip:b2bua@127.0.0.1:${port}>`);
    }
    // Towards A: the B2BUA's Contact in the 200, never B's Call-ID, Contact or To tag.
    const bCallIds = events.bridged.map((c) => c.bCallId);
    const okToA = toA.filter((m) => m.startsWith('SIP/2.0 200') && m.includes(' INVITE\r\n'));
    assert.equal(okToA.length, calls);
    for (const message of toA) {
      assert.ok(!bCallIds.some((id) => message.includes(id)), 'B’s Call-ID leaked to A');
      assert.ok(!message.includes(`:${bPort}`), 'B’s address leaked to A');
    }
    for (const ok of okToA)
      assert.match(ok, new RegExp(`\\r\\nContact: <sip:b2bua@127\\.0\\.0\\.1:${port}>\\r\\n`));
  });

  it('relays a re-INVITE from A to B and B’s answer back to A', async (ctx) => {
    const bPort = await freePort();
    const callee = await SipAgent.listen({ listen: { udp: [{ address: '127.0.0.1', port: bPort }] } });
    ctx.after(() => callee.close());
    const offers: string[] = [];
    callee.invite(async (req, res) => {
      const dialog = await callee.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('modify', (mreq, mres) => {
        offers.push(mreq.body);
        const answer = ANSWER_SDP.replace('RTP/AVP 0', 'RTP/AVP 8') + 'a=rtpmap:8 PCMA/8000\r\n';
        mres.send(200, { body: answer, contentType: 'application/sdp' });
      });
    });
    const { b2bua, port, events } = await startExample(ctx, `sip:callee@127.0.0.1:${bPort}`);
    // A re-offers PCMA in the dialog; its scenario fails unless the answer it gets carries PCMA.
    const caller = await sippCaller(port, { scenarioFile: scenario('uac-reinvite-expect-200'), calls: 1 });
    assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
    assert.equal(caller.successfulCalls, 1);
    assert.equal(offers.length, 1);
    assert.match(offers[0] ?? '', /m=audio \d+ RTP\/AVP 8\r\n/);
    await until(() => events.ended.length === 1, 2_000, 'the call to end');
    assert.equal(events.ended[0]?.endedBy, 'a');
    assert.equal(b2bua.agent.dialogs.size, 0);
  });

  it('close() ends the calls in progress with a BYE on both legs', async (ctx) => {
    const bPort = await freePort();
    const callee = await SipAgent.listen({ listen: { udp: [{ address: '127.0.0.1', port: bPort }] } });
    ctx.after(() => callee.close());
    const calleeEnds: string[] = [];
    callee.invite(async (req, res) => {
      const dialog = await callee.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('destroy', ({ reason }) => calleeEnds.push(reason));
    });
    const caller = await SipAgent.listen({
      listen: { udp: [{ address: '127.0.0.1', port: await freePort() }] },
    });
    ctx.after(() => caller.close());
    const { b2bua, port, events } = await startExample(ctx, `sip:callee@127.0.0.1:${bPort}`);
    const calls = await Promise.all(
      [1, 2].map(() => caller.createUAC(`sip:b2bua@127.0.0.1:${port}`, { localSdp: ANSWER_SDP })),
    );
    const callerEnds: string[] = [];
    for (const dialog of calls) dialog.on('destroy', ({ reason }) => callerEnds.push(reason));
    await until(() => events.bridged.length === 2, 2_000, 'both calls to be bridged');
    assert.equal(b2bua.activeCalls, 2);

    await b2bua.close();
    assert.deepEqual(callerEnds, ['bye', 'bye']);
    await until(() => calleeEnds.length === 2, 1_000, 'the B legs to end');
    assert.deepEqual(calleeEnds, ['bye', 'bye']);
    assert.equal(b2bua.activeCalls, 0);
    assert.equal(b2bua.agent.stack.timers.size, 0);
  });

  it('runs from the command line: prints ready, bridges a call, exits 0 on SIGTERM; bad arguments exit 2', async () => {
    const callee = await sippCallee({ calls: 1 });
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--listen',
        `127.0.0.1:${port}`,
        '--target',
        `sip:uas@127.0.0.1:${callee.port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      await until(() => stdout.includes('ready'), 10_000, 'the ready line');
      assert.match(
        stdout,
        new RegExp(`b2bua ready: listening on udp 127\\.0\\.0\\.1:${port}, tcp 127\\.0\\.0\\.1:${port}`),
      );
      const caller = await sippCaller(port, { calls: 1 });
      assert.equal(caller.exitCode, SIPP_ALL_OK, verdict(caller));
      assert.equal(caller.successfulCalls, 1);
      const b = await callee.done;
      assert.equal(b.successfulCalls, 1, verdict(b));
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const bad = spawn(process.execPath, ['--import', 'tsx', MAIN, '--listen', 'nowhere'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(bad, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /--listen and --target are both required|expected host:port/);
    assert.match(stderr, /usage: b2bua/);
  });
});
