/**
 * Bundles the dashboard with esbuild: `src/app/main.ts` (and what it imports, @svpn/qos included)
 * into one ES module `app.js`, plus `index.html` and `app.css` copied as they are. The output is a
 * plain static directory the api service serves at `/`.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
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

/** Every file under a directory, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/**
 * Builds the dashboard into `outDir`. The files are made in a scratch directory beside it and then
 * renamed into place one by one, so a server reading `outDir` meanwhile sees either the old file or
 * the new one, never a missing or half-written one.
 */
export async function buildDashboard(options: BuildDashboardOptions = {}): Promise<BuildDashboardResult> {
  const outDir = resolve(options.outDir ?? DASHBOARD_DIST_DIR);
  const appDir = join(PACKAGE_DIR, 'src', 'app');
  await mkdir(dirname(outDir), { recursive: true });
  const scratch = await mkdtemp(join(dirname(outDir), `.${basename(outDir)}-build-`));
  try {
    try {
      const result = await build({
        entryPoints: [join(appDir, 'main.ts')],
        outfile: join(scratch, 'app.js'),
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
      if (result.errors.length > 0)
        throw new DashboardBuildError(result.errors.map((e) => e.text).join('; '));
    } catch (error) {
      if (error instanceof DashboardBuildError) throw error;
      throw new DashboardBuildError(`esbuild failed: ${(error as Error).message}`, { cause: error });
    }
    await copyFile(join(appDir, 'index.html'), join(scratch, 'index.html'));
    await copyFile(join(appDir, 'app.css'), join(scratch, 'app.css'));
    // A marker the api service and tests can read: what was built, when.
    await writeFile(
      join(scratch, 'build.json'),
      `${JSON.stringify({ builtAt: new Date().toISOString(), files: DASHBOARD_FILES }, null, 2)}\n`,
    );
    await mkdir(outDir, { recursive: true });
    // index.html last: it names the others, which are then already in place.
    for (const name of ['app.js.map', 'app.js', 'app.css', 'build.json', 'index.html'])
      await rename(join(scratch, name), join(outDir, name));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const files: Record<string, number> = {};
  for (const name of [...DASHBOARD_FILES, 'app.js.map']) files[name] = (await stat(join(outDir, name))).size;
  return { outDir, files };
}

/** Whether a build in `dir` is older than a source it is made of (the app or a package it bundles). */
export async function dashboardIsStale(dir: string = DASHBOARD_DIST_DIR): Promise<boolean> {
  let builtAt: number;
  try {
    builtAt = (await stat(join(dir, 'build.json'))).mtimeMs;
  } catch {
    return true;
  }
  const sources = [
    join(PACKAGE_DIR, 'src', 'app'),
    join(PACKAGE_DIR, '..', '..', 'packages', 'qos', 'src'),
    join(PACKAGE_DIR, '..', '..', 'packages', 'errors', 'src'),
  ];
  for (const root of sources) {
    for (const file of await filesUnder(root).catch(() => [] as string[]))
      if ((await stat(file)).mtimeMs > builtAt) return true;
  }
  return false;
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

/**
 * Builds the dashboard unless `dir` holds a build newer than its sources (what the e2e tests call
 * before starting, so `npm test` needs no separate build step and never serves a stale one).
 */
export async function ensureDashboardBuilt(dir: string = DASHBOARD_DIST_DIR): Promise<void> {
  if (!(await dashboardIsBuilt(dir)) || (await dashboardIsStale(dir))) await buildDashboard({ outDir: dir });
}
