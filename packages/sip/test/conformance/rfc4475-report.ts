// `npm run conformance`: one line per RFC 4475 message, then `N passed, N failed`.
import { EXPECTATIONS, describeFailure, evaluate, runCase } from './expectations.js';

let passed = 0;
let failed = 0;
for (const e of EXPECTATIONS) {
  let line: string;
  try {
    const failures = evaluate(e, runCase(e));
    if (failures.length === 0) {
      passed++;
      line = `${e.file} ok`;
    } else {
      failed++;
      line = `${e.file} FAIL ${describeFailure(failures)}`;
    }
  } catch (err) {
    failed++;
    line = `${e.file} FAIL expected ${e.expected} got exception ${err instanceof Error ? err.message : String(err)}`;
  }
  process.stdout.write(line + '\n');
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
