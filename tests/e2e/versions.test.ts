// Versions in real Chromium against the real server (issue 16): A saves a named version, edits on,
// previews the version (only A's roll shows it; the diff counts the change), restores it and B sees
// the restore; A's Ctrl+Z takes the whole restore back, for both. Then "Make a copy" opens a fork
// that says where it came from, and the landing page lists the sessions this browser visited.
import { beforeAll, describe, expect, it } from 'vitest';
import { twoEditorsOnOneSession } from './support/two-editors';
import { clickRoll, noteCount, screenshot, waitFor, waitOnline, type EditorPage } from './support/browser';

const stage = twoEditorsOnOneSession('E2E versions', ['Ada', 'Ben']);
let A: EditorPage;
let B: EditorPage;
beforeAll(() => void ({ A, B } = stage));

const count = (p: EditorPage['page'], n: number) => waitFor(p, (want) => window.__tutti!.noteCount() === want, n);

describe('versions in the editor', () => {
  it('A saves a version, edits on, previews it for A alone with a diff', async () => {
    for (const [tick, pitch] of [[0, 60], [480, 62], [960, 64]] as const) await clickRoll(A.page, tick, pitch);
    await count(A.page, 3);
    await count(B.page, 3);
    await A.page.getByTestId('history-button').click();
    await A.page.getByTestId('history-name').fill('Three notes');
    await A.page.getByTestId('history-save').click();
    await A.page.locator('[data-testid="history-item"][data-kind="named"]').first().waitFor();
    await clickRoll(A.page, 1440, 65);
    await clickRoll(A.page, 1920, 67);
    await count(A.page, 5);
    await count(B.page, 5);

    await A.page.locator('[data-testid="history-item"][data-kind="named"]').first().click();
    await A.page.getByTestId('history-preview').waitFor();
    await A.page.getByTestId('history-diff-toggle').check();
    const diff = A.page.getByTestId('history-diff');
    await diff.waitFor();
    expect(await diff.getAttribute('data-added')).toBe('2');
    expect(await diff.getAttribute('data-removed')).toBe('0');
    // A preview changes nobody's document: both still hold five notes, and B sees no preview.
    expect(await noteCount(A.page)).toBe(5);
    expect(await noteCount(B.page)).toBe(5);
    expect(await B.page.getByTestId('history-preview').count()).toBe(0);
    await screenshot(A.page, 'versions-1-A-diff');
  });

  it('A restores the version and B sees it; A\'s Ctrl+Z reverts the restore for both', async () => {
    await A.page.getByTestId('history-restore-all').click();
    await count(A.page, 3);
    await count(B.page, 3);
    expect(await A.page.getByTestId('history-preview').count()).toBe(0);
    const restored = await B.page.evaluate(() => window.__tutti!.notes().map((n: any) => `${n.start}:${n.pitch}`).sort());
    expect(restored).toEqual(['0:60', '480:62', '960:64']);
    await screenshot(B.page, 'versions-2-B-sees-restore');
    // Focus back on the page (not a text field), then Ctrl+Z: one undo step covers the restore.
    await A.page.getByTestId('note-count').click();
    await A.page.keyboard.press('Control+z');
    await count(A.page, 5);
    await count(B.page, 5);
  });

  it('"Make a copy" opens an independent fork that says where it came from', async () => {
    const parentUrl = A.page.url();
    await A.page.getByTestId('history-copy-current').click();
    await A.page.waitForURL((u) => !u.toString().startsWith(parentUrl.split('#')[0]!), { timeout: 30_000 });
    await waitOnline(A.page);
    await count(A.page, 5);
    const link = A.page.getByTestId('forked-from');
    await link.waitFor();
    expect(await link.textContent()).toContain('E2E versions');
    expect(await A.page.evaluate(() => window.__tutti!.meta().title)).toBe('E2E versions (copy)');
    // Editing the copy leaves the parent alone.
    await clickRoll(A.page, 2400, 70);
    await count(A.page, 6);
    await new Promise((r) => setTimeout(r, 500));
    expect(await noteCount(B.page)).toBe(5);
  });

  it('the landing page lists the sessions this browser visited', async () => {
    await A.page.waitForTimeout(3500); // the visit record is written every few seconds while editing
    await A.page.goto(new URL('/', A.page.url()).toString());
    const list = A.page.getByTestId('my-sessions');
    await list.waitFor();
    const titles = await A.page.locator('[data-testid="my-session"] .home-session-title').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['E2E versions', 'E2E versions (copy)']));
    const parent = A.page.locator(`[data-testid="my-session"][data-id="${stage.sessionId}"]`);
    expect(await parent.getByTestId('my-session-notes').textContent()).toBe('5');
    expect(Number(await A.page.locator('[data-testid="session-thumb"]').first().getAttribute('data-notes'))).toBeGreaterThan(0);
    // Search by title narrows the list; remove takes an entry off it.
    await A.page.getByTestId('my-sessions-search').fill('copy');
    await expect.poll(() => A.page.getByTestId('my-session').count()).toBe(1);
    // A owns the copy (made it), so it may delete it from here.
    expect(await A.page.getByTestId('my-session-delete').count()).toBe(1);
    await A.page.getByTestId('my-session-remove').click();
    await A.page.getByTestId('my-sessions-search').fill('');
    await expect.poll(() => A.page.getByTestId('my-session').count()).toBe(1);
    await screenshot(A.page, 'versions-3-my-sessions');
  });
});
