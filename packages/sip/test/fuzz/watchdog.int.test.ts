// The fuzz watchdog in a child process: a case stuck in a loop is named and the process ended.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const WATCHDOG = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

function runChild(body: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const source = `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};\n${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    }),
  );
}

describe('fuzz watchdog', () => {
  test('a case that never returns is reported with its seed and index, and the process is killed', async () => {
    const started = Date.now();
    const r = await runChild(`
      const w = startWatchdog({ seed: 7, stallMs: 600 });
      Atomics.store(w.heartbeat, 0, 42);
      for (;;) {}
    `);
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.stderr, /HANG — case 42 of seed 7 made no progress for 600 ms/);
    assert.match(r.stderr, /npm run fuzz -- --seed 7 --only 42/);
    assert.ok(Date.now() - started < 15_000);
  });

  test('a loop that keeps moving and stops the watchdog exits normally', async () => {
    const r = await runChild(`
      const w = startWatchdog({ seed: 7, stallMs: 600 });
      const end = Date.now() + 1500;
      for (let i = 0; Date.now() < end; i++) Atomics.store(w.heartbeat, 0, i);
      await w.stop();
    `);
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /HANG/);
  });
});
