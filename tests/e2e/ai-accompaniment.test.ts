// The AI feature in real Chromium, two people on one session: A asks the AR-CNN to harmonise the
// melody; B watches the job run with progress (in the job list and as a band over its bars on the
// roll) and then sees the result arrive as a suggestion card, not as edits: the score is unchanged
// until someone accepts it. Anyone can cancel a running job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { assertWeights, connect, postJob, writeMelody } from '../integration/jobs-helpers';
import { ensureNextBuild } from './support/build';
import { launchBrowser, noteCount, openEditor, screenshot, waitFor, type EditorPage } from './support/browser';

let server: TestServer;
let browser: Browser;
let A: EditorPage;
let B: EditorPage;
const MELODY_NOTES = 16;

beforeAll(async () => {
  assertWeights(['arcnn']); // the browser test drives the AR-CNN (the GAN job below only hangs on purpose)
  ensureNextBuild();
  server = await startTestServer({ next: true, env: { TUTTI_JOB_WORKERS: '1' } });
  browser = await launchBrowser();
  const id = await createSession(server.url, 'E2E AI');
  const writer = await connect(server.wsUrl, id);
  writeMelody(writer.doc, 4);
  await new Promise((r) => setTimeout(r, 500));
  writer.destroy();
  A = await openEditor(browser, server.url, id, 'Alice');
  B = await openEditor(browser, server.url, id, 'Bob');
  await waitFor(A.page, (n) => window.__tutti!.noteCount() === n, MELODY_NOTES);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('AI accompaniment in a shared session', () => {
  it('A generates; B sees the job progress on the list and the roll, then a suggestion card', async () => {
    const panel = A.page.getByTestId('ai-panel');
    await panel.getByTestId('ai-model').selectOption('arcnn');
    await panel.getByTestId('ai-task').selectOption('harmonize');
    // Enough iterations that the run is long enough to be watched (and short enough on a busy machine).
    await panel.getByTestId('ai-knob-iterations').fill('200');
    await panel.getByTestId('ai-seed').fill('11');
    await panel.getByTestId('ai-generate').click();

    // B sees A's job running with a moving progress bar, and a progress band over its bars...
    await waitFor(B.page, () => {
      const bar = document.querySelector('[data-testid="ai-job"][data-status="running"] [data-testid="ai-job-progress"]');
      return !!bar && Number(bar.getAttribute('aria-valuenow')) > 0 && window.__tuttiAi!.overlay().bands > 0;
    }, null, 60_000);
    await screenshot(B.page, 'ai-1-B-sees-progress');
    const jobText = await B.page.getByTestId('ai-job').first().innerText();
    expect(jobText).toMatch(/AR-CNN/);
    expect(jobText).toMatch(/Alice/);
    expect(jobText).toMatch(/seed 11/);

    // ...then the result as a suggestion for both, with the score untouched until someone accepts.
    await waitFor(B.page, () => ['done', 'failed', 'cancelled'].includes(document.querySelector('[data-testid="ai-job"]')?.getAttribute('data-status') ?? ''), null, 240_000);
    const finished = B.page.getByTestId('ai-job').first();
    expect(await finished.getAttribute('data-status'), await finished.innerText()).toBe('done');
    for (const p of [A.page, B.page]) await waitFor(p, () => document.querySelectorAll('[data-testid="ai-suggestion"][data-status="pending"]').length === 1, null, 10_000);
    expect(await B.page.getByTestId('ai-suggestion').innerText()).toMatch(/AR-CNN/);
    expect(await noteCount(B.page)).toBe(MELODY_NOTES);
    expect(await B.page.evaluate(() => window.__tuttiAi!.overlay().bands)).toBe(0);
    await screenshot(B.page, 'ai-2-B-sees-suggestion');
  });

  it('anyone can cancel a running job; nothing lands', async () => {
    const sessionId = await A.page.evaluate(() => window.__tutti!.sessionId);
    const melodyId = await A.page.evaluate(() => window.__tutti!.tracks()[0].id);
    const before = await A.page.evaluate(() => window.__tuttiAi!.suggestions().length);
    // A job that hangs (test hook) is cancelled by B, who did not ask for it.
    const slow = await postJob(server.url, sessionId, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { spinMs: 120_000 }, requester: { id: 'api-user', name: 'Carol' } });
    expect(slow.status).toBe(202);
    await waitFor(B.page, (id) => document.querySelector(`[data-job-id="${id}"]`)?.getAttribute('data-status') === 'running', slow.body.jobId, 60_000);
    await B.page.locator(`[data-testid=ai-job][data-job-id="${slow.body.jobId}"] [data-testid="ai-job-cancel"]`).click();
    await waitFor(A.page, (id) => document.querySelector(`[data-testid=ai-job][data-job-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', slow.body.jobId, 30_000);
    await screenshot(A.page, 'ai-3-A-sees-cancel');
    expect(await noteCount(A.page)).toBe(MELODY_NOTES);
    expect(await A.page.evaluate(() => window.__tuttiAi!.suggestions().length)).toBe(before);
  });
});
