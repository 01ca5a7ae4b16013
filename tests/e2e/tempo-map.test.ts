// Issue 15 item 7 in Chromium: a session with a tempo change (120 → 60 BPM) exports a WAV whose
// notes sound where the tempo map puts them, not where one BPM would. The map is written by a
// second participant over the real websocket, so it also checks the server lets a tempos write through.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { addNotes, addTrack, PPQ, readMeta, setMeta, TempoMap, type NoteData } from '@/lib/score';
import { decodeWav, rms } from '@/lib/audio/wav';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { connectSynced, type Client } from '../integration/sync-helpers';
import { ensureNextBuild } from './support/build';
import { launchBrowser, openEditor, waitFor } from './support/browser';

let server: TestServer;
let browser: Browser;
let page: Page;
let peer: Client;

const tempos = [
  { tick: 0, bpm: 120 },
  { tick: 4 * PPQ, bpm: 60 },
];
// Onsets at beats 0, 4 and 8: 0 s, 2 s and 6 s through the map (0, 2 and 4 s at a constant 120 BPM).
const STARTS = [0, 4 * PPQ, 8 * PPQ];

beforeAll(async () => {
  ensureNextBuild();
  server = await startTestServer({ next: true });
  browser = await launchBrowser();
  const id = await createSession(server.url, 'Ritardando');
  peer = await connectSynced(server.wsUrl, id);
  const track = addTrack(peer.doc, { name: 'Lead', instrument: 'lead' });
  addNotes(peer.doc, STARTS.map((start): NoteData => ({ trackId: track.id, pitch: 72, start, duration: PPQ / 2, velocity: 110 })));
  setMeta(peer.doc, { bpm: 120, tempos });
  page = (await openEditor(browser, server.url, id, 'Player')).page;
  await waitFor(page, () => window.__tutti!.meta().tempos?.length === 2 && window.__tutti!.noteCount() === 3, null);
}, 900_000);

afterAll(async () => {
  peer?.destroy();
  await browser?.close();
  await server?.stop();
});

describe('tempo map in playback and WAV export', () => {
  it('the editor holds the map the peer wrote', async () => {
    expect(await page.evaluate(() => window.__tutti!.meta().tempos)).toEqual(tempos);
    expect(readMeta(peer.doc).tempos).toEqual(tempos);
  });

  it('WAV export puts each note where the tempo map says (0, 2 and 6 s), silence at 4 s', async () => {
    const map = new TempoMap(tempos);
    const at = STARTS.map((t) => map.seconds(t));
    expect(at).toEqual([0, 2, 6]);
    await page.getByTestId('export-wav').click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-wav-session').click()]);
    const wav = decodeWav(new Uint8Array(fs.readFileSync((await download.path())!)));
    // The last note ends at beat 8.5: 6.5 s, plus the export's tail.
    expect(wav.duration).toBeGreaterThan(6.5);
    const loud = at.map((s) => rms(wav, s, s + 0.2));
    for (const l of loud) expect(l).toBeGreaterThan(0.005);
    // Where a constant 120 BPM would have put the third note, and just before each onset: quiet.
    expect(rms(wav, 4, 4.2)).toBeLessThan(loud[2]! / 10);
    expect(rms(wav, 5.6, 5.95)).toBeLessThan(loud[2]! / 10);
    expect(rms(wav, 1.6, 1.95)).toBeLessThan(loud[1]! / 10);
  });
});
