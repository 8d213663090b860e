// `npm run bench -- <name> [args…]` runs one benchmark; `--list` names them all.
import { benchmarks } from './registry.js';
import { printer } from '@svpn/bench-kit';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--list' || name === '--help') {
    for (const [key, entry] of Object.entries(benchmarks)) console.log(`${key}\t${entry.description}`);
    return name ? 0 : 2;
  }
  const entry = benchmarks[name];
  if (!entry) {
    console.error(`unknown benchmark "${name}"; run \`npm run bench -- --list\` to see the names`);
    return 2;
  }
  const bench = await entry.load();
  await bench.run(printer(name), rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
