import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDashboard,
  dashboardIsBuilt,
  dashboardIsStale,
  DASHBOARD_FILES,
  ensureDashboardBuilt,
} from '../../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'svpn-dashboard-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('the build writes index.html, app.js (one ES module, with a source map) and app.css', async () => {
  const outDir = join(await tempDir(), 'dist');
  const { files } = await buildDashboard({ outDir });
  for (const name of [...DASHBOARD_FILES, 'app.js.map']) assert.ok((files[name] ?? 0) > 0, name);
  const html = await readFile(join(outDir, 'index.html'), 'utf8');
  assert.match(html, /<script type="module" src="app\.js"><\/script>/);
  assert.match(html, /<link rel="stylesheet" href="app\.css"/);
  assert.match(html, /<div id="app">/);
  const js = await readFile(join(outDir, 'app.js'), 'utf8');
  assert.doesNotMatch(js, /from\s*["']node:|require\(["']node:/, 'nothing of Node in the browser bundle');
  assert.doesNotMatch(js, /^import\s/m, 'every import is bundled');
  assert.match(js, /\/v1\/topology/);
  assert.match(js, /sourceMappingURL=app\.js\.map/);
  assert.ok(files['app.js']! < 200 * 1024, `app.js stays small: ${files['app.js']} bytes`);
  assert.equal(await dashboardIsBuilt(outDir), true);
});

test('a directory missing a file or holding an empty app.js is not a built dashboard', async () => {
  const dir = await tempDir();
  assert.equal(await dashboardIsBuilt(dir), false);
  for (const name of DASHBOARD_FILES) await writeFile(join(dir, name), '');
  assert.equal(await dashboardIsBuilt(dir), false, 'empty app.js');
});

test('ensureDashboardBuilt builds when missing or older than the sources, and only then', async () => {
  const dir = join(await tempDir(), 'dist');
  assert.equal(await dashboardIsStale(dir), true, 'nothing built');
  await ensureDashboardBuilt(dir);
  assert.equal(await dashboardIsBuilt(dir), true);
  assert.equal(await dashboardIsStale(dir), false);
  await writeFile(join(dir, 'app.js'), '/* kept */');
  await ensureDashboardBuilt(dir);
  assert.equal(await readFile(join(dir, 'app.js'), 'utf8'), '/* kept */', 'fresh: not rebuilt');
  // A build from before the sources last changed is rebuilt.
  await utimes(join(dir, 'build.json'), new Date(0), new Date(0));
  assert.equal(await dashboardIsStale(dir), true);
  await ensureDashboardBuilt(dir);
  assert.notEqual(await readFile(join(dir, 'app.js'), 'utf8'), '/* kept */');
});

test('a rebuild replaces the files in place and leaves no scratch directory behind', async () => {
  const parent = await tempDir();
  const dir = join(parent, 'dist');
  await buildDashboard({ outDir: dir });
  await writeFile(join(dir, 'extra.txt'), 'left alone');
  await buildDashboard({ outDir: dir });
  assert.deepEqual((await readdir(parent)).sort(), ['dist']);
  assert.deepEqual((await readdir(dir)).sort(), [
    'app.css',
    'app.js',
    'app.js.map',
    'build.json',
    'extra.txt',
    'index.html',
  ]);
});
