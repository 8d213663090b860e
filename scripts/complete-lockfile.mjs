#!/usr/bin/env node
// The package registry reachable here carries only the Linux builds of platform-specific optional
// packages (e.g. @msgpackr-extract/*-darwin-arm64), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. This records each missing
// optional dependency with its os/cpu, which npm skips on other platforms without fetching it.
// Idempotent: a complete lock is left untouched.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages ?? {};
const added = [];
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${key ? key + '/' : ''}node_modules/${dep}`;
    const flat = `node_modules/${dep}`;
    if (packages[nested] || packages[flat]) continue;
    const name = dep.split('/').pop();
    const os = ['darwin', 'linux', 'win32', 'freebsd', 'android'].filter((o) => name.includes(o));
    const cpu = ['arm64', 'x64', 'arm', 'ia32'].filter((c) => name.endsWith(`-${c}`));
    packages[flat] = {
      version: String(range).replace(/^[\^~]/, ''),
      optional: true,
      ...(os.length ? { os } : {}),
      ...(cpu.length ? { cpu } : {}),
    };
    added.push(flat);
  }
}
if (added.length > 0) {
  writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
  console.error(
    `complete-lockfile: recorded ${added.length} platform-specific optional package(s): ${added.join(', ')}`,
  );
}
