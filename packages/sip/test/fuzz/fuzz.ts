/**
 * `npm run fuzz` — the SIP robustness fuzzer.
 *
 * ```
 * npm run fuzz -- [--cases 100000] [--seed 4475] [--only I] [--udp 2000] [--time-limit 50] [--heap-bound 32]
 *                 [--max-ops 5]
 * ```
 *
 * Prints progress on stderr, then a summary JSON object, the failing cases (seed, index, hex and
 * the command that reproduces each) and a final line `N passed, N failed`. Exits 1 on any failure.
 * A watchdog thread ends the process, naming the case, when one case stops making progress.
 */
import { runFuzz } from './run-fuzz.js';
import { runUdpSoak } from './udp-soak.js';
import { startWatchdog } from './watchdog.js';

interface CliOptions {
  cases: number;
  seed: number;
  only: number | undefined;
  udp: number;
  timeLimitMs: number;
  heapBoundMiB: number;
  maxOps: number;
}

function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = {
    cases: 100_000,
    seed: 4475,
    only: undefined,
    udp: 2000,
    timeLimitMs: 50,
    heapBoundMiB: 32,
    maxOps: 5,
  };
  const number = (flag: string, text: string | undefined): number => {
    const n = Number(text);
    if (text === undefined || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${flag} needs a non-negative integer, got '${text ?? ''}'`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--cases':
        opts.cases = number(flag, value());
        break;
      case '--seed':
        opts.seed = number(flag, value()) >>> 0;
        break;
      case '--only':
        opts.only = number(flag, value());
        break;
      case '--udp':
        opts.udp = number(flag, value());
        break;
      case '--time-limit':
        opts.timeLimitMs = number(flag, value());
        break;
      case '--heap-bound':
        opts.heapBoundMiB = number(flag, value());
        break;
      case '--max-ops':
        opts.maxOps = number(flag, value());
        break;
      case '--help':
        process.stdout.write(
          'npm run fuzz -- [--cases N] [--seed S] [--only I] [--udp N] [--time-limit MS] [--heap-bound MIB] [--max-ops N]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument '${arg}' (try --help)`);
    }
  }
  return opts;
}

async function main(): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    return 2;
  }
  const watchdog = startWatchdog({ seed: opts.seed, stallMs: 30_000 });
  const summary = runFuzz({
    cases: opts.cases,
    seed: opts.seed,
    ...(opts.only === undefined ? {} : { only: opts.only }),
    caseTimeLimitMs: opts.timeLimitMs,
    heapBoundBytes: opts.heapBoundMiB * 1024 * 1024,
    maxOps: opts.maxOps,
    heartbeat: watchdog.heartbeat,
    onProgress: (done, total) => process.stderr.write(`fuzz: ${done}/${total} cases\n`),
  });
  await watchdog.stop();

  const soak =
    opts.udp > 0 && opts.only === undefined
      ? await runUdpSoak({ seed: opts.seed, datagrams: opts.udp })
      : undefined;

  const { failures, ...rest } = summary;
  process.stdout.write(JSON.stringify({ fuzz: rest, udpSoak: soak ?? null }, null, 2) + '\n');
  for (const f of failures) {
    process.stdout.write(
      `FAIL seed=${summary.seed} case=${f.index} caseSeed=${f.caseSeed} base=${f.base} ops=${f.ops.join(',')} bytes=${f.bytes} ms=${f.ms}\n`,
    );
    for (const v of f.violations) process.stdout.write(`  [${v.invariant}/${v.path}] ${v.detail}\n`);
    process.stdout.write(`  reproduce: ${f.reproduce}\n`);
    if (f.hex !== '') process.stdout.write(`  hex: ${f.hex}\n`);
  }
  if (summary.failed > failures.length) {
    process.stdout.write(`(${summary.failed - failures.length} more failing cases not shown)\n`);
  }
  const soakFailed = soak?.failed ?? 0;
  const soakPassed = soak?.passed ?? 0;
  for (const problem of soak?.problems ?? []) process.stdout.write(`FAIL udp-soak ${problem}\n`);
  process.stdout.write(`${summary.passed + soakPassed} passed, ${summary.failed + soakFailed} failed\n`);
  return summary.failed + soakFailed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
