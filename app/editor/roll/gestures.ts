// Pointer gestures on the note area: draw (click, drag to set length), move, resize, box select,
// shift-click, right-click delete. While a gesture runs only a local preview changes; the edit is
// written once, on release, as a single transaction (one sync message, one undo step).
import { clickSelect, defaultNoteLength, hitTest, notesInRect, snapFloor, snapRound, unionSelect, xToTick, yToPitch, type Hit } from '@/lib/editing';
import type { NoteId } from '@/lib/score';
import type { Editor } from '../editor';
import { applyPatches, deleteSelection, drawNote, grid } from '../commands';
import { moveNotes, resizeNotes } from '@/lib/editing';
import type { Preview } from './render';

type Gesture =
  | { kind: 'move'; startTick: number; startPitch: number; ids: Set<NoteId>; anchor: number; dt: number; dp: number }
  | { kind: 'resize'; startTick: number; ids: Set<NoteId>; dd: number }
  | { kind: 'draw'; pitch: number; start: number; duration: number }
  | { kind: 'box'; t0: number; p0: number; t1: number; p1: number; additive: boolean };

const EDGE_PX = 7;

export class RollGestures {
  private g: Gesture | null = null;
  private selectionBefore: ReadonlySet<NoteId> = new Set();
  private pressedId: NoteId | null = null;
  /** Set by touch.ts while a finger is on the roll. */
  touchDown = false;
  preview: Preview = {};

  constructor(
    private readonly ed: Editor,
    private readonly el: HTMLElement,
    private readonly invalidate: () => void,
  ) {}

  private pos(e: PointerEvent | MouseEvent) {
    const r = this.el.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    return { x, y, tick: Math.max(0, xToTick(this.ed.view, x)), pitch: yToPitch(this.ed.view, y) };
  }

  private hit(tick: number, pitch: number): Hit | null {
    const ed = this.ed;
    const edge = EDGE_PX / ed.view.pxPerTick;
    const near = ed.store.noteIndex().inRange(tick - edge, tick + 1).filter((n) => n.trackId === ed.ui.activeTrackId);
    return hitTest(near, tick, pitch, edge);
  }

  private audition(pitch: number): void {
    const inst = this.ed.store.track(this.ed.ui.activeTrackId)?.instrument ?? 'piano';
    void this.ed.audio().then((a) => a.audition(pitch, inst)).catch(() => undefined);
  }

  down = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const ed = this.ed;
    ed.userTookControl();
    const { tick, pitch } = this.pos(e);
    this.el.setPointerCapture(e.pointerId);
    const h = this.hit(tick, pitch);
    const g = grid(ed);
    this.selectionBefore = ed.ui.selection;
    this.pressedId = h?.note.id ?? null;
    if (h) {
      const sel = clickSelect(ed.ui.selection, h.note.id, e.shiftKey);
      ed.setSelection(sel);
      if (e.shiftKey && !sel.has(h.note.id)) return;
      const ids = new Set(sel);
      if (h.part === 'end') this.g = { kind: 'resize', startTick: tick, ids, dd: 0 };
      else {
        this.g = { kind: 'move', startTick: tick, startPitch: pitch, ids, anchor: h.note.start, dt: 0, dp: 0 };
        this.audition(h.note.pitch);
      }
    } else if (ed.ui.tool === 'select' || e.shiftKey) {
      this.g = { kind: 'box', t0: tick, p0: pitch, t1: tick, p1: pitch, additive: e.shiftKey };
      if (!e.shiftKey) ed.setSelection([]);
    } else {
      const start = snapFloor(tick, g);
      this.g = { kind: 'draw', pitch, start, duration: defaultNoteLength(g) };
      this.audition(pitch);
    }
    this.sync();
  };

  move = (e: PointerEvent) => {
    const ed = this.ed;
    const { tick, pitch } = this.pos(e);
    ed.presence.setCursor({ tick, pitch });
    const g = this.g;
    const step = grid(ed);
    if (!g) {
      const h = this.hit(tick, pitch);
      this.el.style.cursor = h ? (h.part === 'end' ? 'ew-resize' : 'grab') : ed.ui.tool === 'select' ? 'crosshair' : 'cell';
      return;
    }
    if (g.kind === 'move') {
      // Snap the grabbed note's new start to the grid; the others keep their offsets.
      const target = snapRound(g.anchor + (tick - g.startTick), step);
      const dp = pitch - g.startPitch;
      if (dp !== g.dp && dp !== 0) this.audition(Math.min(127, Math.max(0, (ed.store.notes.get([...g.ids][0]!)?.pitch ?? 60) + dp)));
      g.dt = target - g.anchor;
      g.dp = dp;
      this.el.style.cursor = 'grabbing';
    } else if (g.kind === 'resize') {
      g.dd = step > 0 ? snapRound(tick - g.startTick, step) : Math.round(tick - g.startTick);
    } else if (g.kind === 'draw') {
      const len = defaultNoteLength(step);
      const end = Math.max(g.start + len, step > 0 ? Math.ceil(tick / step) * step : Math.round(tick));
      g.duration = end - g.start;
    } else {
      g.t1 = tick;
      g.p1 = pitch;
    }
    this.sync();
  };

  up = (e: PointerEvent) => {
    const ed = this.ed;
    const g = this.g;
    this.g = null;
    if (this.el.hasPointerCapture(e.pointerId)) this.el.releasePointerCapture(e.pointerId);
    if (!g) return;
    if (g.kind === 'move') {
      if (g.dt || g.dp) applyPatches(ed, moveNotes(ed.store.notesOf(g.ids), g.dt, g.dp));
    } else if (g.kind === 'resize') {
      if (g.dd) applyPatches(ed, resizeNotes(ed.store.notesOf(g.ids), g.dd, Math.max(1, grid(ed) || 10)));
    } else if (g.kind === 'draw') {
      drawNote(ed, { pitch: g.pitch, start: g.start, duration: g.duration, velocity: 100 });
    } else {
      const inBox = notesInRect(ed.store.noteIndex().inRange(Math.min(g.t0, g.t1), Math.max(g.t0, g.t1) + 1), g).filter((n) => n.trackId === ed.ui.activeTrackId);
      ed.setSelection(unionSelect(ed.ui.selection, inBox.map((n) => n.id), g.additive));
    }
    this.sync();
  };

  leave = () => {
    if (!this.g) this.ed.presence.setCursor(null);
  };

  /** Drops the gesture in progress without writing anything (a second finger turned it into a pan/pinch). */
  cancel(pointerId?: number): void {
    this.g = null;
    if (pointerId !== undefined && this.el.hasPointerCapture(pointerId)) this.el.releasePointerCapture(pointerId);
    this.sync();
  }

  /**
   * A long press (touch): on a note, adds it to (or removes it from) the selection instead of
   * moving it; on empty space, starts a box selection there instead of drawing.
   */
  longPress(): void {
    const g = this.g;
    if (!g) return;
    if (g.kind === 'move' && !g.dt && !g.dp) {
      if (this.pressedId) this.ed.setSelection(clickSelect(this.selectionBefore, this.pressedId, true));
      this.g = null;
    } else if (g.kind === 'draw') {
      this.ed.setSelection([]);
      this.g = { kind: 'box', t0: g.start, p0: g.pitch, t1: g.start, p1: g.pitch, additive: false };
    }
    this.sync();
  }

  /** Right-click deletes the note under the pointer (or the selection it belongs to); not on touch. */
  context = (e: MouseEvent) => {
    e.preventDefault();
    // A touch long-press also fires contextmenu: that press selects (touch.ts), it never deletes.
    if ((e as PointerEvent).pointerType === 'touch' || this.touchDown) return;
    const { tick, pitch } = this.pos(e);
    const h = this.hit(tick, pitch);
    if (!h) return;
    if (!this.ed.ui.selection.has(h.note.id)) this.ed.setSelection([h.note.id]);
    deleteSelection(this.ed);
  };

  private sync(): void {
    const g = this.g;
    this.preview =
      !g ? {}
      : g.kind === 'move' ? { move: { ids: g.ids, dt: g.dt, dp: g.dp } }
      : g.kind === 'resize' ? { resize: { ids: g.ids, dd: g.dd } }
      : g.kind === 'draw' ? { draft: { pitch: g.pitch, start: g.start, duration: g.duration } }
      : { box: { t0: g.t0, t1: g.t1, p0: g.p0, p1: g.p1 } };
    this.invalidate();
  }
}
