// The AI as a bandmate (issue 13) in real Chromium, two people on one session. A asks for three
// candidates and B sees all three; B previews and auditions candidate 2 while A accepts it; A's
// Ctrl+Z takes it back, B's does not; an invalid knob is refused with a 4xx and leaves no job
// behind; after a MIDI import the panel's default source is the imported track; ten accepted
// harmonisations of one melody leave exactly three accompaniment tracks.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { api, assertWeights, connect, writeMelody } from '../integration/jobs-helpers';
import { ensureNextBuild } from './support/build';
import { launchBrowser, noteCount, openEditor, rollPoint, screenshot, waitFor, type EditorPage } from './support/browser';

let server: TestServer;
let browser: Browser;
let sessionId: string;
let A: EditorPage;
let B: EditorPage;
const MELODY_NOTES = 16;

type Sug = { id: string; requestId: string; index: number; model: string; status: string; seed: number; notes: number };
const suggestions = (page: Page): Promise<Sug[]> => page.evaluate(() => window.__tuttiAi!.suggestions());
const jobCount = (page: Page): Promise<number> => page.evaluate(() => window.__tuttiAi!.jobs().length);
const trackCount = (page: Page): Promise<number> => page.evaluate(() => window.__tutti!.tracks().length);

/** Asks for `n` GAN harmonisations through A's panel; resolves with the new request's suggestions once all have landed in `watcher`. */
async function ask(n: number, watcher: Page = A.page): Promise<Sug[]> {
  const known = new Set((await suggestions(watcher)).map((s) => s.requestId));
  const panel = A.page.getByTestId('ai-panel');
  await panel.getByTestId('ai-model').selectOption('gan');
  await panel.getByTestId('ai-task').selectOption('harmonize');
  await panel.getByTestId('ai-candidates').selectOption(String(n));
  await panel.getByTestId('ai-generate').click();
  await watcher.waitForFunction(
    ({ known, n }) => {
      const by = new Map<string, number>();
      for (const s of window.__tuttiAi!.suggestions()) if (!known.includes(s.requestId)) by.set(s.requestId, (by.get(s.requestId) ?? 0) + 1);
      return [...by.values()].some((c) => c === n);
    },
    { known: [...known], n },
    { timeout: 120_000 },
  );
  const fresh = (await suggestions(watcher)).filter((s) => !known.has(s.requestId));
  return fresh.sort((a, b) => a.index - b.index);
}

beforeAll(async () => {
  assertWeights(['gan']);
  ensureNextBuild();
  server = await startTestServer({ next: true, env: { TUTTI_JOB_WORKERS: '2' } });
  browser = await launchBrowser();
  sessionId = await createSession(server.url, 'E2E AI suggestions');
  const writer = await connect(server.wsUrl, sessionId);
  writeMelody(writer.doc, 4);
  await new Promise((r) => setTimeout(r, 500));
  writer.destroy();
  A = await openEditor(browser, server.url, sessionId, 'Alice');
  B = await openEditor(browser, server.url, sessionId, 'Bob');
  await waitFor(A.page, (n) => window.__tutti!.noteCount() === n, MELODY_NOTES);
  await waitFor(B.page, (n) => window.__tutti!.noteCount() === n, MELODY_NOTES);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('AI suggestions in a shared session', () => {
  let cands: Sug[] = [];

  it('A asks for 3 candidates; B sees all three side by side and previews any of them at once', async () => {
    cands = await ask(3, B.page);
    expect(cands.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(new Set(cands.map((s) => s.requestId)).size).toBe(1);
    for (const s of cands) expect(s.notes).toBeGreaterThan(0);
    // Three cards in both pages, nothing written to the score yet.
    for (const p of [A.page, B.page]) await expect.poll(() => p.locator(`[data-testid=ai-suggestion][data-request-id="${cands[0]!.requestId}"]`).count()).toBe(3);
    expect(await noteCount(B.page)).toBe(MELODY_NOTES);
    // Seeds are consecutive and the job list shows the model version and seed.
    expect(cands.map((s) => s.seed - cands[0]!.seed)).toEqual([0, 1, 2]);
    const meta = await B.page.getByTestId('ai-job-meta').first().innerText();
    expect(meta).toMatch(/seed \d+/);
    const jobs = await B.page.evaluate(() => window.__tuttiAi!.jobs());
    expect(jobs.filter((j: any) => j.requestId === cands[0]!.requestId).every((j: any) => j.modelVersion && j.seed !== null)).toBe(true);

    // Ghost notes of the first candidate on both rolls; B switches to candidate 2 locally.
    await waitFor(B.page, () => window.__tuttiAi!.overlay().ghostNotes > 0, null);
    expect(await B.page.evaluate(() => window.__tuttiAi!.previews())).toEqual([cands[0]!.id]);
    const jobsBefore = await jobCount(B.page);
    await B.page.locator(`[data-suggestion-id="${cands[1]!.id}"]`).click();
    await waitFor(B.page, (id) => window.__tuttiAi!.previews()[0] === id, cands[1]!.id, 2_000);
    expect(await B.page.locator(`[data-suggestion-id="${cands[1]!.id}"]`).getAttribute('data-active')).toBe('true');
    expect(await jobCount(B.page)).toBe(jobsBefore); // no new request
    expect(await A.page.evaluate(() => window.__tuttiAi!.previews())).toEqual([cands[0]!.id]); // B's preview is B's
    await screenshot(B.page, 'ai-sugg-1-B-previews-candidate-2');
  });

  it('B auditions candidate 2 (the transport plays it) and A accepts it; both see the notes', async () => {
    const c2 = cands[1]!;
    await B.page.locator(`[data-suggestion-id="${c2.id}"] [data-testid=ai-audition]`).click();
    await waitFor(B.page, (id) => {
      const a = window.__tuttiAi!.audition();
      return !!a && a.suggestionId === id && a.playing && a.played > 0 && window.__tutti!.transport().playing;
    }, c2.id, 15_000);
    await A.page.locator(`[data-suggestion-id="${c2.id}"] [data-testid=ai-accept]`).click();
    for (const p of [A.page, B.page]) {
      await waitFor(p, (n) => window.__tutti!.noteCount() === n, MELODY_NOTES + c2.notes, 10_000);
      await waitFor(p, (id) => document.querySelector(`[data-suggestion-id="${id}"]`)?.getAttribute('data-status') === 'accepted', c2.id);
    }
    // Every new note records where it came from; the accepted suggestion stops B's audition.
    expect(await B.page.evaluate((id) => window.__tuttiAi!.notesFrom(id).length, c2.id)).toBe(c2.notes);
    await waitFor(B.page, () => window.__tuttiAi!.audition() === null, null);
    expect(await trackCount(B.page)).toBe(4); // the melody + alto, tenor, bass
    await screenshot(A.page, 'ai-sugg-2-A-accepted-candidate-2');
  });

  it("A's Ctrl+Z removes them; B's does not", async () => {
    const c2 = cands[1]!;
    await B.page.keyboard.press('Control+z');
    await new Promise((r) => setTimeout(r, 700));
    expect(await noteCount(A.page)).toBe(MELODY_NOTES + c2.notes);
    expect(await noteCount(B.page)).toBe(MELODY_NOTES + c2.notes);
    await A.page.keyboard.press('Control+z');
    for (const p of [A.page, B.page]) {
      await waitFor(p, (n) => window.__tutti!.noteCount() === n, MELODY_NOTES);
      await waitFor(p, () => window.__tutti!.tracks().length === 1, null);
    }
    await expect.poll(() => B.page.locator(`[data-suggestion-id="${c2.id}"] [data-testid=ai-suggestion-decision]`).innerText()).toMatch(/accepted.*removed/);
  });

  it("an invalid knob gets a 4xx with the reason and leaves no trace in anyone's job list", async () => {
    const before = [await jobCount(A.page), await jobCount(B.page)];
    const panel = A.page.getByTestId('ai-panel');
    await panel.getByTestId('ai-model').selectOption('gan');
    await panel.getByTestId('ai-task').selectOption('harmonize');
    await panel.getByTestId('ai-candidates').selectOption('1');
    await panel.getByTestId('ai-knob-temperature').fill('99');
    await panel.getByTestId('ai-generate').click();
    await expect.poll(() => panel.getByTestId('ai-error').innerText()).toMatch(/temperature/);
    // The same straight at the API (an old client): 4xx with the issues, and nothing queued.
    const melodyId = await A.page.evaluate(() => window.__tutti!.tracks()[0].id);
    const bad = await api<{ error: string; issues: string[] }>(`${server.url}/api/sessions/${sessionId}/ai`, 'POST', { model: 'gan', task: 'harmonize', sourceTrackId: melodyId, knobs: { temperature: -4 } });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.body.issues.join(' ')).toMatch(/temperature/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect([await jobCount(A.page), await jobCount(B.page)]).toEqual(before);
    expect(await B.page.getByTestId('ai-job').count()).toBe(before[1]);
    await panel.getByTestId('ai-knob-temperature').fill('0');
  });

  let lastAccepted: string | null = null;

  it('ten harmonisations of the same melody leave exactly three accompaniment tracks', async () => {
    let accepted = 0;
    for (const n of [4, 4, 2]) {
      const fresh = await ask(n);
      for (const s of fresh) {
        await A.page.locator(`[data-suggestion-id="${s.id}"] [data-testid=ai-accept]`).click();
        await waitFor(A.page, (id) => document.querySelector(`[data-suggestion-id="${id}"]`)?.getAttribute('data-status') === 'accepted', s.id);
        accepted++;
        lastAccepted = s.id;
      }
    }
    expect(accepted).toBe(10);
    await expect.poll(() => trackCount(B.page)).toBe(4);
    const tracks = await B.page.evaluate(() => window.__tutti!.tracks());
    const voices = tracks.filter((t: any) => t.aiVoice);
    expect(voices.map((t: any) => t.aiVoice).sort()).toEqual(['alto', 'bass', 'tenor']);
    expect(new Set(tracks.map((t: any) => t.name)).size).toBe(4);
    expect(new Set(tracks.map((t: any) => t.color.toLowerCase())).size).toBe(4);
    await screenshot(B.page, 'ai-sugg-3-ten-harmonisations');

    // Provenance: "select this suggestion's notes", and the roll's tooltip on one of them.
    const last = lastAccepted!;
    const from: string[] = await A.page.evaluate((id) => window.__tuttiAi!.notesFrom(id), last);
    expect(from.length).toBeGreaterThan(0);
    await A.page.locator(`[data-suggestion-id="${last}"] [data-testid=ai-select-notes]`).click();
    await waitFor(A.page, (ids) => JSON.stringify(window.__tutti!.selection().sort()) === JSON.stringify([...ids].sort()), from);
    const note = (await A.page.evaluate((id) => window.__tutti!.note(id), from[0]!))!;
    const at = await rollPoint(A.page, note.start, note.pitch);
    await A.page.mouse.move(at.x + 2, at.y);
    await expect.poll(() => A.page.getByTestId('roll-canvas').getAttribute('title')).toMatch(/^From GAN gan-\w+, seed \d+.*accepted by you/);
  });

  it('regenerate reruns a candidate with a new seed, as a new suggestion for everyone', async () => {
    const pending = (await suggestions(B.page)).find((s) => s.status === 'pending')!;
    const known = new Set((await suggestions(B.page)).map((s) => s.requestId));
    await B.page.locator(`[data-suggestion-id="${pending.id}"] [data-testid=ai-regenerate]`).click();
    await waitFor(A.page, (known) => window.__tuttiAi!.suggestions().some((s: any) => !known.includes(s.requestId)), [...known], 60_000);
    const fresh = (await suggestions(A.page)).filter((s) => !known.has(s.requestId));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.model).toBe(pending.model);
    expect(fresh[0]!.seed).not.toBe(pending.seed);
  });

  it('after a MIDI import, the default source is the imported track', async () => {
    const id = await createSession(server.url, 'E2E AI import');
    const C = await openEditor(browser, server.url, id, 'Carol');
    const D = await openEditor(browser, server.url, id, 'Dan');
    try {
      const starter = await C.page.evaluate(() => window.__tutti!.tracks()[0].id);
      await C.page.getByTestId('midi-input').setInputFiles(path.resolve(import.meta.dirname, '../fixtures/midi/multitrack.mid'));
      await waitFor(D.page, () => window.__tutti!.noteCount() === 56, null);
      // The imported melody: the melody-role imported track (the starter "Melody" track stays empty).
      const imported = await D.page.evaluate((starter) => {
        const t = window.__tutti!;
        const counts = new Map<string, number>();
        for (const n of t.notes()) counts.set(n.trackId, (counts.get(n.trackId) ?? 0) + 1);
        return t.tracks().filter((x: any) => x.id !== starter && x.role === 'melody' && counts.get(x.id)).map((x: any) => x.id);
      }, starter);
      expect(imported).toHaveLength(1);
      for (const p of [C.page, D.page]) await expect.poll(() => p.getByTestId('ai-source').inputValue()).toBe(imported[0]);
    } finally {
      await C.context.close();
      await D.context.close();
    }
  });
});
