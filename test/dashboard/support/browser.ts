/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser): headless, sandbox off
 * (containers), no network of its own (no QUIC, background networking, component updates or
 * sync), and a fresh empty profile per launch.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Where the e2e tests save their screenshots (gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** A new tab, with console errors and uncaught exceptions collected. */
  page(): Promise<{ page: Page; errors: string[] }>;
  /** Saves a full-page screenshot as test/screenshots/<name>.png; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(
  options: { viewport?: { width: number; height: number }; actionTimeoutMs?: number } = {},
): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'svpn-chromium-'));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      acceptDownloads: true,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      timeout: 30_000,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async page() {
      const page = await context.newPage();
      // Fail fast: a page of this dashboard answers in well under a second on loopback.
      page.setDefaultTimeout(options.actionTimeoutMs ?? 8000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      return { page, errors };
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
