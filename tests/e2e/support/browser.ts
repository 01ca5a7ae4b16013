// Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core, and helpers
// to open the editor on a session and work with its roll in note coordinates.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { editTokenFor } from '../../helpers/server';

/** The page's window.__tutti* hooks (present because test servers run with TUTTI_TEST_HOOKS=1); typed by app/test-hooks.ts. */
export type { TuttiTestHooks } from '@/app/test-hooks';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/e2e');

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export interface EditorPage {
  context: BrowserContext;
  page: Page;
}

/** Opens /s/<id> in a fresh context (own IndexedDB and localStorage) and waits until synced. */
export interface OpenOptions {
  /** Context options (viewport, touch, ...) over the 1440×860 desktop default. */
  context?: BrowserContextOptions;
  /** Scripts run in the page before its own (e.g. a fake navigator.requestMIDIAccess). */
  initScripts?: string[];
  /** The link token to open with (default: the edit token of a session made with createSession). */
  token?: string;
}

export async function openEditor(browser: Browser, baseUrl: string, sessionId: string, name?: string, opts: OpenOptions = {}): Promise<EditorPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, acceptDownloads: true, ...opts.context });
  // tsx/esbuild wraps named functions in page.evaluate callbacks with __name(); define it in the page.
  await context.addInitScript('globalThis.__name = (f) => f');
  for (const s of opts.initScripts ?? []) await context.addInitScript(s);
  if (name) await context.addInitScript((n) => window.localStorage.setItem('tutti:name', n), name);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name ?? 'page'}] pageerror:`, err.message));
  // The edit link the API handed out: /s/<id>#token=<token> (a pre-links session: plain /s/<id>).
  const token = opts.token ?? editTokenFor(sessionId);
  await page.goto(`${baseUrl}/s/${sessionId}${token ? `#token=${token}` : ''}`);
  await waitOnline(page);
  return { context, page };
}

export async function waitOnline(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const t = window.__tutti!;
      return t && t.connection() === 'online' && t.synced();
    },
    null,
    { timeout },
  );
}

/** Page coordinates of the centre-left of a (tick, pitch) cell on the roll. */
export async function rollPoint(page: Page, tick: number, pitch: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('roll-canvas').boundingBox())!;
  const v = await page.evaluate(() => window.__tutti!.viewport());
  const p = {
    x: box.x + (tick - v.scrollTick) * v.pxPerTick + 4,
    y: box.y + (127 - pitch) * v.rowHeight - v.scrollY + v.rowHeight / 2,
  };
  if (p.x < box.x || p.x > box.x + box.width || p.y < box.y || p.y > box.y + box.height)
    throw new Error(`tick ${tick} pitch ${pitch} is outside the visible roll (${JSON.stringify(v)})`);
  return p;
}

export async function clickRoll(page: Page, tick: number, pitch: number): Promise<void> {
  const p = await rollPoint(page, tick, pitch);
  await page.mouse.click(p.x, p.y);
}

export async function dragRoll(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const a = await rollPoint(page, from[0], from[1]);
  const b = await rollPoint(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 3 });
  await page.mouse.up();
}

export type PageNote = { id: string; trackId: string; pitch: number; start: number; duration: number; velocity: number };

export const notes = (page: Page): Promise<PageNote[]> => page.evaluate(() => window.__tutti!.notes());
export const noteCount = (page: Page): Promise<number> => page.evaluate(() => window.__tutti!.noteCount());

export async function waitFor<T>(page: Page, fn: (arg: T) => boolean, arg: T, timeout = 10_000): Promise<void> {
  await page.waitForFunction(fn as any, arg, { timeout });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

const RECORD_CSP = `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors, failed requests and HTTP ≥ 400 responses, as they happen. */
  errors: string[];
  /** The CSP violations the page reported so far ("directive blockedURI"). */
  cspViolations(): Promise<string[]>;
}

/**
 * A fresh 1280×900 page that records everything a page should never show: console errors, page
 * errors, failed requests, HTTP errors and CSP violations (under the server's nonce policy). A test
 * asserts `errors` and `cspViolations()` are empty at its end.
 */
export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // A string, not a function: what the page runs is exactly this, whatever the test transform does.
  await context.addInitScript(RECORD_CSP);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // A missing asset (a card image, a chunk) shows here; Next's own prefetches that the browser
  // cancels when the page moves on (net::ERR_ABORTED) are not failures of the page.
  page.on('requestfailed', (r) => {
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { context, page, errors, cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp) };
}
