/** `npm run build -w @svpn/dashboard`: bundles the dashboard into services/dashboard/dist/. */
import { relative } from 'node:path';
import { buildDashboard } from '../src/index.js';

const started = Date.now();
const { outDir, files } = await buildDashboard({ minify: !process.argv.includes('--no-minify') });
const sizes = Object.entries(files)
  .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KiB`)
  .join(', ');
console.log(
  `dashboard built in ${Date.now() - started} ms → ${relative(process.cwd(), outDir) || '.'}: ${sizes}`,
);
