#!/usr/bin/env node
// Runs the project's tests with node's own test runner (through tsx for TypeScript).
// `npm test` runs everything CI runs; `--unit` keeps only the pure unit tests
// (no Redis, sockets or external programs: files not named *.int.test.ts or *.e2e.test.ts).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const unitOnly = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

let files = ['packages', 'services', 'examples', 'test']
  .flatMap((d) => {
    try {
      return walk(join(root, d), []);
    } catch {
      return [];
    }
  })
  .map((f) => relative(root, f))
  .sort();
if (unitOnly) files = files.filter((f) => !/\.(int|e2e)\.test\.ts$/.test(f));
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// A test file is done when its tests and hooks are: a handle something left open (a reconnecting
// client, a timer) must not hold it until the timeout and fail a run whose tests all passed. The
// harnesses' teardowns report a close that hangs (packages/test-support tearDown). Node >= 20.14.
const [major, minor] = process.versions.node.split('.').map(Number);
const forceExit = major > 20 || (major === 20 && minor >= 14) ? ['--test-force-exit'] : [];

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', ...forceExit, '--test-concurrency=2', '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
