// Editor benchmark in real Chromium against the real server (npm run bench:editor):
//  1. frame cost while scrolling a 10,000-note, 4-track session (imported through the UI), at the
//     default zoom and zoomed out (~25 bars, ~1,200 notes on screen): per-frame main-thread work of
//     the roll (p50/p95) plus requestAnimationFrame intervals as a cross-check;
//  2. local edit → paint in another browser context: A transposes a note with the arrow key, B's
//     roll repaints with the change; measured keydown (A) → end of B's paint, same clock;
//  3. sound: in a fresh browser context (empty cache) a first note is drawn (which creates a piano
//     track and starts the sample download) and Play is pressed at once: Play → first note handed
//     to Web Audio (the synth piano while samples load), and Play → all piano samples decoded;
//  4. WAV export of 32 bars × 4 tracks (piano, strings, bass, drums) through the UI: click →
//     download, as a multiple of real time.
// Writes bench/results/editor.json with --write (else a temporary file it prints); the last line printed is one JSON object with the figures.
import fs from 'node:fs';
import path from 'node:path';
import { scoreToMidi } from '@/lib/midi';
import { decodeWav } from '@/lib/audio/wav';
import { DEFAULT_META, PPQ, defaultTrack, type Note, type NoteId, type Score, type Track, type TrackId } from '@/lib/score';
import { createSession, startTestServer } from '../tests/helpers/server';
import { ensureNextBuild } from '../tests/e2e/support/build';
import { clickRoll, launchBrowser, openEditor } from '../tests/e2e/support/browser';
import { writeResult } from '../models/cli/result-file';

const EDITS = Number(process.env.BENCH_EDITS ?? 200);
const SCROLL_MS = Number(process.env.BENCH_SCROLL_MS ?? 4000);

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};

/** 10,000 notes over 200 bars in 4 tracks: 16th-note melody, 8th arpeggio, bass, drums (or fewer bars). */
function tenThousandNotes(bars = 200): Score {
  const tracks: Track[] = ['Melody', 'Arp', 'Bass', 'Drums'].map((name, i) => ({ ...defaultTrack(i, { name, instrument: (['piano', 'strings', 'bass', 'drums'] as const)[i] }), id: `t${i}` as TrackId }));
  const notes: Note[] = [];
  const add = (t: number, pitch: number, start: number, duration: number) => notes.push({ id: `n${notes.length}` as NoteId, trackId: tracks[t]!.id, pitch, start, duration, velocity: 60 + ((notes.length * 37) % 60) });
  const bar = PPQ * 4;
  for (let b = 0; b < bars; b++) {
    for (let s = 0; s < 16; s++) add(0, 67 + ((b * 3 + s * 5) % 14), b * bar + s * 120, 120);
    for (let s = 0; s < 16; s++) add(1, 55 + ((s * 4 + b) % 12), b * bar + s * 120, 240);
    for (let s = 0; s < 8; s++) add(2, 36 + ((b + s) % 8), b * bar + s * 240, 220);
    for (let s = 0; s < 10; s++) add(3, [36, 42, 38, 42, 36, 46, 38, 42, 49, 42][s]!, b * bar + Math.round((s * bar) / 10), 60);
  }
  return { meta: { ...DEFAULT_META, title: bars === 200 ? 'Bench 10k' : `Bench ${bars} bars`, lengthBars: bars }, tracks, notes };
}

async function main() {
  ensureNextBuild();
  const server = await startTestServer({ next: true });
  const browser = await launchBrowser();
  try {
    const id = await createSession(server.url, 'bench');
    const A = await openEditor(browser, server.url, id, 'Bench A');
    const B = await openEditor(browser, server.url, id, 'Bench B');
    // A's probe note (drawn while the view is still on middle C; drawing selects it).
    await clickRoll(A.page, 0, 64);
    await A.page.waitForFunction(() => window.__tutti!.selection().length === 1);
    const probe: string = await A.page.evaluate(() => window.__tutti!.selection()[0]);
    const score = tenThousandNotes();
    await A.page.getByTestId('midi-input').setInputFiles({ name: 'bench.mid', mimeType: 'audio/midi', buffer: Buffer.from(scoreToMidi(score)) });
    const total = score.notes.length + 1;
    await B.page.waitForFunction((n) => window.__tutti!.noteCount() === n, total, { timeout: 60_000 });
    await A.page.waitForFunction((n) => window.__tutti!.noteCount() === n, total, { timeout: 60_000 });

    // 1. Scrolling in B.
    // Wheel events are dispatched inside the page once per animation frame (a CDP round trip per
    // event would cap the rate far below 60 Hz); they go through the roll's real wheel handler.
    const scrollPhase = async (label: string) =>
      B.page.evaluate(
        ({ label, ms, maxTick }) =>
          new Promise<{ label: string; intervals: number[]; draws: number[]; visibleAvg: number }>((resolve) => {
            const hook = window.__tutti!; // app/test-hooks.ts (the server runs with TUTTI_TEST_HOOKS=1)
            const el = document.querySelector('[data-testid=roll-canvas]')!;
            const r = el.getBoundingClientRect();
            const drawStart = hook.drawTimes().length;
            const vis: number[] = [];
            const off = hook.onPaint((p) => vis.push(p.notesDrawn));
            const raf: number[] = [];
            let dir = 1;
            const t0 = performance.now();
            const step = (t: number) => {
              raf.push(t);
              const v = hook.viewport();
              if (v.scrollTick > maxTick) dir = -1;
              if (v.scrollTick <= 0) dir = 1;
              el.dispatchEvent(new WheelEvent('wheel', { deltaX: dir * 40, deltaY: 0, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2, bubbles: true, cancelable: true }));
              if (t - t0 < ms) requestAnimationFrame(step);
              else {
                off();
                const draws: number[] = hook.drawTimes().slice(drawStart);
                resolve({ label, intervals: raf.slice(1).map((x, i) => x - raf[i]!), draws, visibleAvg: vis.reduce((a, b) => a + b, 0) / Math.max(1, vis.length) });
              }
            };
            requestAnimationFrame(step);
          }),
        { label, ms: SCROLL_MS, maxTick: 150 * PPQ * 4 },
      );
    const normal = await scrollPhase('default zoom');
    for (let i = 0; i < 6; i++) await B.page.getByTestId('zoom-out').click();
    const zoomed = await scrollPhase('zoomed out');

    // 2. Edit → remote paint.
    await B.page.evaluate((probe) => {
      const w = window as any;
      w.__lat = { seen: w.__tutti.note(probe)?.pitch, paints: [] as number[] };
      w.__tutti.onPaint((p: any) => {
        const pitch = w.__tutti.note(probe)?.pitch;
        if (pitch !== w.__lat.seen) {
          w.__lat.seen = pitch;
          w.__lat.paints.push(p.at);
        }
      });
    }, probe);
    await A.page.evaluate(() => {
      const w = window as any;
      w.__keys = [] as number[];
      window.addEventListener('keydown', () => w.__keys.push(performance.timeOrigin + performance.now()), { capture: true });
    });
    const latencies: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      await A.page.keyboard.press(i % 2 === 0 ? 'ArrowUp' : 'ArrowDown');
      await B.page.waitForFunction((n) => (window as any).__lat.paints.length >= n, i + 1, { timeout: 10_000, polling: 5 });
      await new Promise((r) => setTimeout(r, 20 + (i % 5) * 10));
    }
    const keys: number[] = await A.page.evaluate(() => (window as any).__keys);
    const paints: number[] = await B.page.evaluate(() => (window as any).__lat.paints);
    for (let i = 0; i < EDITS; i++) latencies.push(paints[i]! - keys[i]!);

    // The 10,000-note pages would keep painting in the background: close them first.
    await A.context.close();
    await B.context.close();

    // 3. Piano samples and first sound, cold.
    const C = await openEditor(browser, server.url, await createSession(server.url, 'bench sound'), 'Bench C');
    await clickRoll(C.page, 0, 60);
    await C.page.waitForFunction(() => window.__tutti!.noteCount() === 1);
    await C.page.evaluate(() => window.__tutti!.probeNotes());
    await C.page.evaluate(() => {
      const w = window as any;
      window.addEventListener('keydown', (e) => e.key === ' ' && (w.__playAt ??= performance.now()), { capture: true });
    });
    await C.page.keyboard.press('Space');
    await C.page.waitForFunction(() => window.__tuttiProbe?.firstAt != null, null, { timeout: 30_000 });
    await C.page.waitForFunction(() => window.__tutti!.pianoSamples().ready, null, { timeout: 120_000 });
    const sound = await C.page.evaluate(() => {
      const w = window as any;
      const s = w.__tutti.pianoSamples();
      return { first: w.__tuttiProbe.firstAt - w.__playAt, ready: s.readyAt - w.__playAt, files: s.total };
    });
    await C.page.keyboard.press('Space');
    await C.context.close();

    // 4. WAV render speed, 32 bars × 4 tracks.
    const D = await openEditor(browser, server.url, await createSession(server.url, 'bench wav'), 'Bench D');
    const wavScore = tenThousandNotes(32);
    await D.page.getByTestId('midi-input').setInputFiles({ name: 'wav.mid', mimeType: 'audio/midi', buffer: Buffer.from(scoreToMidi(wavScore)) });
    await D.page.waitForFunction((n) => window.__tutti!.noteCount() === n, wavScore.notes.length, { timeout: 60_000 });
    await D.page.waitForFunction(() => window.__tutti!.pianoSamples().ready, null, { timeout: 120_000 });
    await D.page.getByTestId('export-wav').click();
    const t0 = performance.now();
    const [download] = await Promise.all([D.page.waitForEvent('download', { timeout: 600_000 }), D.page.getByTestId('export-wav-session').click()]);
    const wavBytes = fs.readFileSync((await download.path())!);
    const renderMs = performance.now() - t0;
    const wavSeconds = decodeWav(new Uint8Array(wavBytes)).duration;
    await D.context.close();

    const allDraws = [...normal.draws, ...zoomed.draws];
    const allIntervals = [...normal.intervals, ...zoomed.intervals];
    const result = {
      notes: total,
      frame_p50_ms: pct(allDraws, 50),
      frame_p95_ms: pct(allDraws, 95),
      frames: allDraws.length,
      default_zoom: { frame_p50_ms: pct(normal.draws, 50), frame_p95_ms: pct(normal.draws, 95), frames: normal.draws.length, notes_drawn_avg: Math.round(normal.visibleAvg), raf_interval_p50_ms: pct(normal.intervals, 50), raf_interval_p95_ms: pct(normal.intervals, 95) },
      zoomed_out: { frame_p50_ms: pct(zoomed.draws, 50), frame_p95_ms: pct(zoomed.draws, 95), frames: zoomed.draws.length, notes_drawn_avg: Math.round(zoomed.visibleAvg), raf_interval_p50_ms: pct(zoomed.intervals, 50), raf_interval_p95_ms: pct(zoomed.intervals, 95) },
      raf_interval_p50_ms: pct(allIntervals, 50),
      raf_interval_p95_ms: pct(allIntervals, 95),
      remote_paint_p50_ms: pct(latencies, 50),
      remote_paint_p99_ms: pct(latencies, 99),
      remote_paint_max_ms: pct(latencies, 100),
      edits: latencies.length,
      first_sound_after_play_ms: Math.round(sound.first),
      piano_samples_ready_after_play_ms: Math.round(sound.ready),
      piano_sample_files: sound.files,
      wav_render_notes: wavScore.notes.length,
      wav_audio_s: Math.round(wavSeconds * 100) / 100,
      wav_render_ms: Math.round(renderMs),
      wav_render_x_realtime: Math.round((wavSeconds / (renderMs / 1000)) * 10) / 10,
      chromium: '/usr/bin/chromium (headless, --disable-gpu)',
      measured_at: new Date().toISOString(),
    };
    writeResult(path.resolve(import.meta.dirname, 'results/editor.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`frames while scrolling ${total} notes: p50 ${result.frame_p50_ms} ms, p95 ${result.frame_p95_ms} ms (default zoom ${result.default_zoom.notes_drawn_avg} notes drawn/frame, zoomed out ${result.zoomed_out.notes_drawn_avg})`);
    console.log(`edit → remote paint over ${latencies.length} edits: p50 ${result.remote_paint_p50_ms} ms, p99 ${result.remote_paint_p99_ms} ms`);
    console.log(`sound: first note ${result.first_sound_after_play_ms} ms after Play, piano samples (${sound.files} files) ready ${result.piano_samples_ready_after_play_ms} ms after Play`);
    console.log(`WAV export of 32 bars × 4 tracks (${wavScore.notes.length} notes, ${result.wav_audio_s} s): ${result.wav_render_ms} ms, ${result.wav_render_x_realtime}× real time`);
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
