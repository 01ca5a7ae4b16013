// The usual e2e stage: a real server with the production web build, one Chromium, and two people
// (two browser contexts) in the editor of one fresh session. Registers its own vitest hooks; the
// returned object is filled in before the suite's first test runs.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { createSession, startTestServer, type TestServer } from '../../helpers/server';
import { ensureNextBuild } from './build';
import { launchBrowser, openEditor, type EditorPage } from './browser';

export interface Stage {
  server: TestServer;
  browser: Browser;
  sessionId: string;
  A: EditorPage;
  B: EditorPage;
}

/** env: server variables for this suite (for example smaller limits, so a test's data can be small). */
export function twoEditorsOnOneSession(title: string, names: [string, string], env?: Record<string, string>): Stage {
  const stage = {} as Stage;
  beforeAll(async () => {
    ensureNextBuild();
    stage.server = await startTestServer({ next: true, env });
    stage.browser = await launchBrowser();
    stage.sessionId = await createSession(stage.server.url, title);
    stage.A = await openEditor(stage.browser, stage.server.url, stage.sessionId, names[0]);
    stage.B = await openEditor(stage.browser, stage.server.url, stage.sessionId, names[1]);
  });
  afterAll(async () => {
    await stage.browser?.close();
    await stage.server?.stop();
  });
  return stage;
}
