/**
 * Bundles the dashboard with esbuild: `src/app/main.ts` (and what it imports, @svpn/qos included)
 * into one ES module `app.js`, plus `index.html` and `app.css` copied as they are. The output is a
 * plain static directory the api service serves at `/`.
 */
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SvpnError } from '@svpn/errors';

/** services/dashboard/ */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `npm run build -w @svpn/dashboard` writes the dashboard: `services/dashboard/dist/`. */
export const DASHBOARD_DIST_DIR = join(PACKAGE_DIR, 'dist');

/** The files a built dashboard consists of. */
export const DASHBOARD_FILES = ['index.html', 'app.js', 'app.css'] as const;

export interface BuildDashboardOptions {
  /** @defaultValue {@link DASHBOARD_DIST_DIR} */
  outDir?: string;
  /** Minify app.js (a source map is written either way). @defaultValue true */
  minify?: boolean;
}

export interface BuildDashboardResult {
  outDir: string;
  /** Size of each written file, bytes. */
  files: Record<string, number>;
}

export class DashboardBuildError extends SvpnError<'SVPN_DASHBOARD_BUILD'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SVPN_DASHBOARD_BUILD', message, options);
  }
}

/** Builds the dashboard into `outDir` (replacing what was there). */
export async function buildDashboard(options: BuildDashboardOptions = {}): Promise<BuildDashboardResult> {
  const outDir = resolve(options.outDir ?? DASHBOARD_DIST_DIR);
  const appDir = join(PACKAGE_DIR, 'src', 'app');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  try {
    const result = await build({
      entryPoints: [join(appDir, 'main.ts')],
      outfile: join(outDir, 'app.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
      minify: options.minify ?? true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: PACKAGE_DIR,
    });
    if (result.errors.length > 0) throw new DashboardBuildError(result.errors.map((e) => e.text).join('; '));
  } catch (error) {
    if (error instanceof DashboardBuildError) throw error;
    throw new DashboardBuildError(`esbuild failed: ${(error as Error).message}`, { cause: error });
  }
  await copyFile(join(appDir, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(appDir, 'app.css'), join(outDir, 'app.css'));
  // A marker the api service and tests can read: what was built, when.
  await writeFile(
    join(outDir, 'build.json'),
    `${JSON.stringify({ builtAt: new Date().toISOString(), files: DASHBOARD_FILES }, null, 2)}\n`,
  );
  const files: Record<string, number> = {};
  for (const name of [...DASHBOARD_FILES, 'app.js.map']) files[name] = (await stat(join(outDir, name))).size;
  return { outDir, files };
}

/** Whether `dir` holds a built dashboard (every file present and app.js not empty). */
export async function dashboardIsBuilt(dir: string = DASHBOARD_DIST_DIR): Promise<boolean> {
  try {
    for (const name of DASHBOARD_FILES) await stat(join(dir, name));
    return (await readFile(join(dir, 'app.js'), 'utf8')).length > 0;
  } catch {
    return false;
  }
}

/** Builds the dashboard unless it is built already (what the e2e tests call before starting). */
export async function ensureDashboardBuilt(dir: string = DASHBOARD_DIST_DIR): Promise<void> {
  if (!(await dashboardIsBuilt(dir))) await buildDashboard({ outDir: dir });
}
