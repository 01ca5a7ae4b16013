// The set-up the page tests share: the production build served by a child-process server, one
// Chromium, and one watched page (support/browser.ts openWatchedPage) that records console errors,
// failed requests and CSP violations for the suite to assert at its end. Registers its own
// beforeAll/afterAll; the returned object is filled in once beforeAll has run.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/server';
import { launchBrowser, openWatchedPage, type WatchedPage } from './browser';
import { ensureNextBuild } from './build';

export type PageSuite = WatchedPage & { server: TestServer };

export function watchedPageSuite(): PageSuite {
  const suite = {} as PageSuite;
  let browser: Browser | undefined;
  beforeAll(async () => {
    ensureNextBuild();
    suite.server = await startTestServer({ next: true });
    browser = await launchBrowser();
    Object.assign(suite, await openWatchedPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await suite.server?.stop();
  });
  return suite;
}
