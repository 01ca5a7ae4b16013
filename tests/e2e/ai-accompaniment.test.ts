// The AI feature in real Chromium, two people on one session: A asks the AR-CNN to harmonise the
// melody, B watches the job run with progress and then sees the new notes; A undoes the whole
// result with one Ctrl+Z (and B sees it go); failures are shown to everyone with their reason.
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
  await waitFor(A.page, (n) => (window as any).__tutti.noteCount() === n, MELODY_NOTES);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('AI accompaniment in a shared session', () => {
  it('A generates; B sees the job progress, then the notes', async () => {
    const panel = A.page.getByTestId('ai-panel');
    await panel.getByTestId('ai-model').selectOption('arcnn');
    await panel.getByTestId('ai-task').selectOption('harmonize');
    // Enough iterations that the run is long enough to be watched.
    await panel.getByTestId('ai-knob-iterations').fill('400');
    await panel.getByTestId('ai-seed').fill('11');
    await panel.getByTestId('ai-generate').click();

    // B sees A's job running with a moving progress bar...
    await waitFor(B.page, () => {
      const bar = document.querySelector('[data-testid="ai-job"][data-status="running"] [data-testid="ai-job-progress"]');
      return !!bar && Number(bar.getAttribute('aria-valuenow')) > 0;
    }, null, 60_000);
    await screenshot(B.page, 'ai-1-B-sees-progress');
    const jobText = await B.page.getByTestId('ai-job').first().innerText();
    expect(jobText).toMatch(/AR-CNN/);
    expect(jobText).toMatch(/Alice/);

    // ...then the result: new notes and a finished job, in both pages.
    await waitFor(B.page, () => document.querySelector('[data-testid="ai-job"]')?.getAttribute('data-status') === 'done', null, 120_000);
    await waitFor(B.page, (n) => (window as any).__tutti.noteCount() > n, MELODY_NOTES);
    const inB = await noteCount(B.page);
    await waitFor(A.page, (n) => (window as any).__tutti.noteCount() === n, inB);
    const tracks = await B.page.evaluate(() => (window as any).__tutti.tracks().length);
    expect(tracks).toBeGreaterThan(1);
    await screenshot(B.page, 'ai-2-B-sees-result');
    // Only A may undo it.
    expect(await B.page.getByTestId('ai-job-undo').count()).toBe(0);
    expect(await A.page.getByTestId('ai-job-undo').count()).toBe(1);
  });

  it('A undoes the whole result with one Ctrl+Z; B sees it go, the melody stays', async () => {
    const depth = await A.page.evaluate(() => (window as any).__tutti.undoDepth());
    expect(depth).toBe(1); // the result is ONE item on A's undo stack
    await A.page.keyboard.press('Control+z');
    await waitFor(A.page, (n) => (window as any).__tutti.noteCount() === n, MELODY_NOTES);
    await waitFor(B.page, (n) => (window as any).__tutti.noteCount() === n, MELODY_NOTES);
    expect(await B.page.evaluate(() => (window as any).__tutti.tracks().length)).toBe(1);
    await screenshot(B.page, 'ai-3-B-after-A-undo');
    // Redo brings it back; the job list's button undoes it again, also in one step.
    await A.page.keyboard.press('Control+Shift+z');
    await waitFor(B.page, (n) => (window as any).__tutti.noteCount() > n, MELODY_NOTES);
    await A.page.getByTestId('ai-job-undo').click();
    await waitFor(B.page, (n) => (window as any).__tutti.noteCount() === n, MELODY_NOTES);
  });

  it('a failed job shows its reason to everyone, and anyone can cancel a running one', async () => {
    const sessionId = await A.page.evaluate(() => (window as any).__tutti.sessionId);
    const melodyId = await A.page.evaluate(() => (window as any).__tutti.tracks()[0].id);
    const bad = await postJob(server.url, sessionId, { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, params: { temperature: -4 }, requester: { id: 'api-user', name: 'Carol' } });
    expect(bad.status).toBe(202);
    await waitFor(B.page, (id) => document.querySelector(`[data-job-id="${id}"]`)?.getAttribute('data-status') === 'failed', bad.body.jobId, 60_000);
    expect(await B.page.locator(`[data-job-id="${bad.body.jobId}"]`).innerText()).toMatch(/temperature/);

    // A job that hangs (test hook) is cancelled by B, who did not ask for it.
    const slow = await postJob(server.url, sessionId, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { spinMs: 120_000 }, requester: { id: 'api-user', name: 'Carol' } });
    await waitFor(B.page, (id) => document.querySelector(`[data-job-id="${id}"]`)?.getAttribute('data-status') === 'running', slow.body.jobId, 60_000);
    await B.page.locator(`[data-job-id="${slow.body.jobId}"] [data-testid="ai-job-cancel"]`).click();
    await waitFor(A.page, (id) => document.querySelector(`[data-job-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', slow.body.jobId, 30_000);
    await screenshot(A.page, 'ai-4-A-sees-failure-and-cancel');
    expect(await noteCount(A.page)).toBe(MELODY_NOTES);
  });
});
