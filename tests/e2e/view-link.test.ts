// A view link in Chromium: the page is read-only (the roll does not draw, the AI panel explains why
// it is off, a "View only" badge shows), it still follows the editor live and exports; and the page
// is served with a nonce-based CSP that Next's own scripts satisfy (no violation, the app runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createSessionWithLinks, startTestServer, type CreatedSession, type TestServer } from '../helpers/server';
import { ensureNextBuild } from './support/build';
import { clickRoll, launchBrowser, noteCount, openEditor, screenshot, waitFor, waitOnline, type EditorPage } from './support/browser';

/** Records CSP violations in the page (window.__csp) before any of its scripts run. */
/** Counts the websockets the page opens (window.__ws), whatever opens them. */
const COUNT_WEBSOCKETS = `window.__ws = 0; { const W = window.WebSocket; window.WebSocket = class extends W { constructor(...a) { super(...a); window.__ws++; } }; }`;

const RECORD_CSP = `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));`;

describe('a view link in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let s: CreatedSession;
  let E: EditorPage;
  let V: EditorPage;

  beforeAll(async () => {
    ensureNextBuild();
    server = await startTestServer({ next: true });
    browser = await launchBrowser();
    s = await createSessionWithLinks(server.url, 'E2E view link');
    E = await openEditor(browser, server.url, s.id, 'Editor', { initScripts: [RECORD_CSP] });
    V = await openEditor(browser, server.url, s.id, 'Viewer', { token: s.viewToken, initScripts: [RECORD_CSP] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('pages carry a nonce CSP, frame-ancestors none, nosniff, a referrer policy and no X-Powered-By; Next’s scripts run under it', async () => {
    for (const path of ['/', `/s/${s.id}`]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, csp).toBeTruthy();
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
      const html = await res.text();
      // Every inline script Next wrote carries this response's nonce.
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]!);
      expect(inline.length).toBeGreaterThan(0);
      for (const attrs of inline) expect(attrs).toContain(`nonce="${nonce}"`);
    }
    // Two requests, two nonces.
    const [a, b] = await Promise.all([fetch(`${server.url}/`), fetch(`${server.url}/`)]);
    expect(a.headers.get('content-security-policy')).not.toBe(b.headers.get('content-security-policy'));
    // The editor pages hydrated and run under the policy, with nothing blocked.
    expect(await E.page.evaluate(() => (window as any).__csp)).toEqual([]);
    expect(await V.page.evaluate(() => (window as any).__csp)).toEqual([]);
  });

  it('the viewer sees a read-only editor: a badge, no drawing, the AI panel off with a reason', async () => {
    await V.page.getByTestId('view-only').waitFor();
    expect(await V.page.getByTestId('editor').getAttribute('data-role')).toBe('view');
    expect(await E.page.getByTestId('view-only').count()).toBe(0);
    expect(await V.page.getByTestId('ai-readonly').innerText()).toMatch(/view link/);
    expect(await V.page.getByTestId('ai-generate').count()).toBe(0);
    await screenshot(V.page, 'view-link-1-viewer');

    const before = await noteCount(E.page);
    await clickRoll(V.page, 0, 60); // the viewer tries to draw
    await V.page.keyboard.press('Control+V');
    // Fence: the editor draws after the viewer tried; once the viewer has that note, anything the
    // viewer had sent would have arrived before it.
    await clickRoll(E.page, 960, 64);
    await waitFor(V.page, (n) => window.__tutti!.noteCount() === n + 1, before);
    await waitFor(E.page, (n) => window.__tutti!.noteCount() === n + 1, before);
    const vNotes = await V.page.evaluate(() => window.__tutti!.notes());
    expect(vNotes.map((n: { pitch: number; start: number }) => [n.pitch, n.start])).toEqual([[64, 960]]);
    expect(await noteCount(E.page)).toBe(before + 1);
  });

  it('the viewer can still export the session', async () => {
    const download = V.page.waitForEvent('download');
    await V.page.getByTestId('export-midi').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.mid$/);
  });

  it('the browser that pressed New session is the owner: it rotates the edit link (the old link’s page is told why) and deletes the session', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 860 } });
    await ctx.addInitScript('globalThis.__name = (f) => f');
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    const owner = await ctx.newPage();
    owner.on('dialog', (d) => void d.accept());
    await owner.goto(`${server.url}/`);
    await owner.getByTestId('new-session').click();
    await owner.waitForURL(/\/s\/[A-Za-z0-9_-]+#token=/);
    await waitOnline(owner);
    const id = await owner.evaluate(() => window.__tutti!.sessionId);
    expect(await owner.evaluate((sid) => window.localStorage.getItem(`tutti:owner:${sid}`), id)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await owner.getByTestId('editor').getAttribute('data-role')).toBe('owner');

    // A friend opens the edit link the owner landed on.
    const oldToken = new URL(owner.url()).hash.replace('#token=', '');
    const friend = await openEditor(browser, server.url, id, 'Friend', { token: oldToken, initScripts: [COUNT_WEBSOCKETS] });
    const sockets: string[] = [];
    friend.page.on('websocket', (ws) => void (ws.url().includes('/sync/') && sockets.push(ws.url())));

    await owner.getByTestId('share').click();
    await owner.getByTestId('rotate-edit-link').click();
    const closedBox = friend.page.getByTestId('session-closed');
    await closedBox.waitFor();
    expect(await closedBox.innerText()).toMatch(/This link was rotated or is invalid/);
    expect(await closedBox.innerText()).toMatch(/edit link was rotated/); // the server's reason
    expect(await closedBox.getAttribute('data-code')).toBe('4401');
    expect(await friend.page.getByTestId('session-reload').isVisible()).toBe(true);
    expect(await friend.page.getByTestId('connection-state').innerText()).toMatch(/Closed/);
    // The page stops: not even the browser coming back online reconnects it (the server would
    // refuse the old token again). The 'online' handlers have all run once our own has.
    const made = await friend.page.evaluate(() => (window as any).__ws as number);
    const seen = sockets.length;
    expect(made).toBeGreaterThan(0);
    await friend.context.setOffline(true);
    await friend.page.evaluate(() => void ((window as any).__onlineSeen = new Promise<void>((r) => window.addEventListener('online', () => setTimeout(r, 0), { once: true }))));
    await friend.context.setOffline(false);
    await friend.page.evaluate(() => (window as any).__onlineSeen);
    expect(await friend.page.evaluate(() => (window as any).__ws)).toBe(made);
    expect(sockets.length).toBe(seen);
    expect(await closedBox.isVisible()).toBe(true);
    expect(await owner.evaluate(() => window.__tutti!.connection())).toBe('online'); // the owner's page stays

    await owner.getByTestId('copy-edit-link').click();
    const fresh = await owner.evaluate(() => navigator.clipboard.readText());
    const newToken = new URL(fresh).hash.replace('#token=', '');
    expect(newToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken).not.toBe(oldToken);
    const again = await openEditor(browser, server.url, id, 'Friend again', { token: newToken });

    await owner.getByTestId('delete-session').click();
    await owner.waitForURL(`${server.url}/`);
    await again.page.getByTestId('session-closed').waitFor();
    expect(await again.page.getByTestId('session-closed').innerText()).toMatch(/This session was deleted/);
    expect(await again.page.getByTestId('session-closed').innerText()).toMatch(/deleted by its owner/);
    expect((await fetch(`${server.url}/api/sessions/${id}`, { headers: { authorization: `Bearer ${newToken}` } })).status).toBe(404);
    await ctx.close();
    await friend.context.close();
    await again.context.close();
  });

  it('the share menu gives the viewer only the view link, and the editor both', async () => {
    await V.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await V.page.getByTestId('share').click();
    expect(await V.page.getByTestId('copy-edit-link').isDisabled()).toBe(true);
    await V.page.getByTestId('copy-view-link').click();
    await expect.poll(() => V.page.evaluate(() => navigator.clipboard.readText())).toBe(s.viewUrl);
    await E.page.getByTestId('share').click();
    expect(await E.page.getByTestId('copy-edit-link').isDisabled()).toBe(false);
    expect(await E.page.getByTestId('copy-view-link').isDisabled()).toBe(false);
  });
});
