// The window.__tutti* test hooks (app/test-hooks.ts) exist only when the server runs with
// TUTTI_TEST_HOOKS=1: the same production build served without it gives the page none.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createSessionWithLinks, startTestServer, type TestServer } from '../helpers/server';
import { ensureNextBuild } from './support/build';
import { launchBrowser, openEditor, waitFor } from './support/browser';

let off: TestServer;
let browser: Browser;

beforeAll(async () => {
  ensureNextBuild();
  off = await startTestServer({ next: true, env: { TUTTI_TEST_HOOKS: '0' } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await off?.stop();
});

it('a page served without TUTTI_TEST_HOOKS=1 has no hooks, yet connects and syncs', async () => {
  const s = await createSessionWithLinks(off.url, 'no hooks');
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${off.url}/s/${s.id}#token=${s.editToken}`);
  await page.getByTestId('roll-canvas').waitFor();
  // Connected and synced (the toolbar says online): the app runs; only the hooks are absent.
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 30_000 });
  const seen = await page.evaluate(() => ({
    meta: !!document.querySelector('meta[name="tutti-test-hooks"]'),
    hooks: Object.keys(window).filter((k) => k.startsWith('__tutti')),
  }));
  expect(seen).toEqual({ meta: false, hooks: [] });
  await context.close();
  // The default test server (TUTTI_TEST_HOOKS=1) does install them.
  const on = await startTestServer({ next: true });
  try {
    const t = await createSessionWithLinks(on.url, 'hooks');
    const E = await openEditor(browser, on.url, t.id, 'Hooks');
    await waitFor(E.page, () => typeof window.__tutti?.noteCount === 'function' && typeof window.__tuttiAi?.suggestions === 'function', null);
    expect(await E.page.evaluate(() => !!document.querySelector('meta[name="tutti-test-hooks"]'))).toBe(true);
    await E.context.close();
  } finally {
    await on.stop();
  }
});
