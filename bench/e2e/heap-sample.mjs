// e2e-calls --heap-sample=<dir>: preloaded (`--import`) into the system's process and each of its
// threads. From SVPN_HEAP_SAMPLE_AT_MS after start, for SVPN_HEAP_SAMPLE_MS, V8's sampling heap
// profiler records every allocation — objects collected since included, so the profile shows what a
// call allocates, not only what stays — and writes `<dir>/heap-<pid>-<thread>.heapprofile` (open it
// in Chrome DevTools' Memory tab). With SVPN_HEAP_SAMPLE_PROMOTED=1 the objects a young-generation
// collection freed are left out: what remains is what outlived the young generation (promoted to the
// old one, where only a Mark-Compact frees it) — the allocations that make Mark-Compacts come.
// Plain JavaScript: the PE worker thread of the system loads it too, before anything there registers
// tsx.
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env['SVPN_HEAP_SAMPLE_DIR'];
const startAtMs = Number(process.env['SVPN_HEAP_SAMPLE_AT_MS'] ?? 15_000);
const lengthMs = Number(process.env['SVPN_HEAP_SAMPLE_MS'] ?? 20_000);
const promotedOnly = process.env['SVPN_HEAP_SAMPLE_PROMOTED'] === '1';

/** @param {string} out */
async function sample(out) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !promotedOnly,
  });
  await new Promise((r) => setTimeout(r, lengthMs).unref());
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(join(out, `heap-${process.pid}-${threadId}.heapprofile`), JSON.stringify(profile));
  session.disconnect();
}

if (dir) {
  // Unref'd: a process that stops before the window ends writes nothing rather than being held up.
  setTimeout(() => {
    sample(dir).catch((error) => process.stderr.write(`heap-sample: ${String(error)}\n`));
  }, startAtMs).unref();
}
