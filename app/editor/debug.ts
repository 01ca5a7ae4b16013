// A small read-only window hook (window.__tutti) for end-to-end tests and the editor benchmark:
// what the document holds, what the canvas last drew, and when it painted. It never edits, and
// exists only when the server runs with TUTTI_TEST_HOOKS=1 (app/test-hooks.ts).
import { readScore } from '@/lib/score';
import type { Editor } from './editor';
import type { DrawnCursor } from './roll/render';
import { pianoSamples } from './audio/piano-loader';
import { midiKeyboard } from './midi/keyboard';
import { setTestHook, testHooksEnabled } from '../test-hooks';

export interface PaintInfo {
  /** Epoch milliseconds (performance.timeOrigin + now), comparable across pages. */
  at: number;
  drawMs: number;
  notesDrawn: number;
  version: number;
}

export const rollStats = {
  paints: 0,
  last: null as PaintInfo | null,
  drawMs: [] as number[],
  cursors: [] as DrawnCursor[],
  paintListeners: new Set<(p: PaintInfo) => void>(),
  record(p: PaintInfo) {
    if (!testHooksEnabled()) return; // only tests and benches read paint figures
    this.paints++;
    this.last = p;
    this.drawMs.push(p.drawMs);
    if (this.drawMs.length > 5000) this.drawMs.splice(0, 1000);
    this.paintListeners.forEach((fn) => fn(p));
  },
};

/** What `__tutti.probeNotes()` counts. */
export interface NoteProbe {
  count: number;
  firstAt: number | null;
}

export type EditorHook = ReturnType<typeof editorHook>;

function editorHook(ed: Editor) {
  return {
    sessionId: ed.sessionId,
    noteCount: () => ed.store.notes.size,
    notes: () => [...ed.store.notes.values()],
    note: (id: string) => ed.store.notes.get(id as never) ?? null,
    tracks: () => ed.store.tracks,
    meta: () => ed.store.meta,
    score: () => readScore(ed.conn.doc),
    selection: () => [...ed.ui.selection],
    activeTrackId: () => ed.ui.activeTrackId,
    connection: () => ed.conn.state(),
    synced: () => ed.conn.synced(),
    peers: () => ed.presence.peers().map((p) => ({ ...p })),
    /** Remote cursors as drawn in the last overlay frame (x/y in canvas pixels). */
    drawnCursors: () => rollStats.cursors.map((c) => ({ ...c })),
    viewport: () => ({ ...ed.view }),
    playheadTick: () => ed.playheadTick,
    transport: () => ({ playing: ed.engine?.playing ?? false, ticks: ed.engine?.ticks ?? 0, loop: ed.ui.loop, metronome: ed.ui.metronome }),
    ui: () => ({ snap: ed.ui.snap, tool: ed.ui.tool, showShortcuts: ed.ui.showShortcuts }),
    undoDepth: () => ed.conn.undo.undoStack.length,
    paints: () => rollStats.paints,
    lastPaint: () => rollStats.last,
    drawTimes: () => [...rollStats.drawMs],
    /** Calls fn after every base-layer paint; returns an unsubscribe function. */
    onPaint: (fn: (p: PaintInfo) => void) => {
      rollStats.paintListeners.add(fn);
      return () => rollStats.paintListeners.delete(fn);
    },
    now: () => performance.timeOrigin + performance.now(),
    /** Piano sample loading: { loaded, total, ready, error }, and when it finished (performance.now()). */
    pianoSamples: () => ({ ...pianoSamples.state, started: pianoSamples.started, readyAt: pianoSamples.readyAt, plays: Object.fromEntries(pianoSamples.plays) }),
    midi: () => ({ ...midiKeyboard(ed).state }),
    /** Counts notes the live engine schedules and records when the first one sounds (benchmark probe). */
    probeNotes: () => {
      const probe: NoteProbe = { count: 0, firstAt: null };
      void ed.audio().then((engine) => {
        engine.onNote = () => {
          probe.count++;
          probe.firstAt ??= performance.now();
        };
      });
      setTestHook('__tuttiProbe', probe);
    },
  };
}

/** Installs window.__tutti for this editor (only with TUTTI_TEST_HOOKS=1); returns its removal. */
export function installDebugHook(ed: Editor): () => void {
  return setTestHook('__tutti', editorHook(ed));
}
