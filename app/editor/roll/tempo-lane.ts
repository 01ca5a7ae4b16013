// The tempo/metre lane: two thin rows at the top of the ruler, one marker per tempo change (♩=96)
// and per metre change (3/4). Drawing and hit-testing live here; TempoLane.tsx wires the pointer
// gestures and the popover. Every edit goes through lib/score/tempo-commands.ts: one transaction,
// one undo step, synced to everyone like any other edit.
import { tickToX, visibleTicks, xToTick } from '@/lib/editing';
import { BarGrid, barGridOf } from '@/lib/editing/bar-lines';
import { temposOf, timeSignaturesOf, type Meta } from '@/lib/score';
import { moveMetre, moveTempo, writeTiming } from '@/lib/score/tempo-commands';
import type { Editor } from '../editor';

export type LaneKind = 'tempo' | 'metre';

/** Height of each lane row; the bar ruler sits below both. */
export const LANE_ROW_H = 13;
export const LANE_H = 2 * LANE_ROW_H;

export const LANE_COLORS: Record<LaneKind, string> = { tempo: '#f0a84b', metre: '#4fd1c5' };

/** A marker as drawn in the last frame: its hit box in ruler pixels. */
export interface DrawnMarker {
  kind: LaneKind;
  tick: number;
  x: number;
  x1: number;
  label: string;
}

export interface LaneDrag {
  kind: LaneKind;
  from: number;
  to: number;
  startX: number;
  moved: boolean;
}

interface LaneState {
  markers: DrawnMarker[];
  drag: LaneDrag | null;
  /** Set when the lane needs a repaint the score and view do not know about (a drag preview). */
  dirty: boolean;
}

const states = new WeakMap<Editor, LaneState>();
export function laneState(ed: Editor): LaneState {
  let s = states.get(ed);
  if (!s) states.set(ed, (s = { markers: [], drag: null, dirty: false }));
  return s;
}

/** True once per pending repaint (the roll's frame loop asks). */
export function takeLaneDirty(ed: Editor): boolean {
  const s = states.get(ed);
  if (!s?.dirty) return false;
  s.dirty = false;
  return true;
}

export const rowAt = (y: number): LaneKind | null => (y < 0 ? null : y < LANE_ROW_H ? 'tempo' : y < LANE_H ? 'metre' : null);

export const formatBpm = (bpm: number) => String(Math.round(bpm * 100) / 100);

function entries(meta: Meta, kind: LaneKind): { tick: number; label: string }[] {
  return kind === 'tempo'
    ? temposOf(meta).map((t) => ({ tick: t.tick, label: `♩=${formatBpm(t.bpm)}` }))
    : timeSignaturesOf(meta).map((s) => ({ tick: s.tick, label: `${s.numerator}/${s.denominator}` }));
}

/** Draws both lane rows into the top LANE_H pixels of the ruler and records the markers' hit boxes. */
export function drawLane(ctx: CanvasRenderingContext2D, ed: Editor, width: number): void {
  const v = ed.view;
  const st = laneState(ed);
  st.markers = [];
  ctx.fillStyle = '#0f1219';
  ctx.fillRect(0, 0, width, LANE_H);
  ctx.fillStyle = '#1c212c';
  ctx.fillRect(0, LANE_ROW_H - 1, width, 1);
  ctx.fillRect(0, LANE_H - 1, width, 1);
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const [t0, t1] = visibleTicks(v);
  const drag = st.drag;
  for (const kind of ['tempo', 'metre'] as const) {
    const y = kind === 'tempo' ? 0 : LANE_ROW_H;
    let list = entries(ed.store.meta, kind);
    if (drag?.kind === kind && drag.moved) {
      const moved = list.find((e) => e.tick === drag.from);
      list = list.filter((e) => e.tick !== drag.from && e.tick !== drag.to);
      if (moved) list = [...list, { tick: drag.to, label: moved.label }].sort((a, b) => a.tick - b.tick);
    }
    // The change in force at the left edge stays visible, pinned there.
    let first = 0;
    while (first + 1 < list.length && list[first + 1]!.tick <= t0) first++;
    for (let i = first; i < list.length && list[i]!.tick <= t1; i++) {
      const e = list[i]!;
      const pinned = e.tick < t0;
      const x = pinned ? 0 : Math.round(tickToX(v, e.tick));
      const nextX = i + 1 < list.length ? tickToX(v, list[i + 1]!.tick) : Infinity;
      const tw = ctx.measureText(e.label).width;
      const active = drag?.kind === kind && drag.moved && e.tick === drag.to;
      ctx.globalAlpha = pinned ? 0.6 : 1;
      ctx.fillStyle = active ? '#ffffff' : LANE_COLORS[kind];
      if (!pinned) ctx.fillRect(x, y + 1, 2, LANE_ROW_H - 3);
      // The label only where it fits before the next marker.
      if (x + 4 + tw <= nextX - 2 || nextX === Infinity) ctx.fillText(e.label, x + 4, y + LANE_ROW_H / 2);
      ctx.globalAlpha = 1;
      st.markers.push({ kind, tick: e.tick, x, x1: x + 4 + Math.min(tw, Math.max(0, nextX - x - 6)), label: e.label });
    }
  }
}

/** The marker under ruler x in a row: the nearest flag within a few pixels, else the label box. */
export function markerAt(ed: Editor, kind: LaneKind, x: number): DrawnMarker | null {
  const ms = laneState(ed).markers.filter((m) => m.kind === kind);
  let best: DrawnMarker | null = null;
  for (const m of ms) if (Math.abs(m.x - x) <= 4 && (!best || Math.abs(m.x - x) < Math.abs(best.x - x))) best = m;
  return best ?? ms.find((m) => x >= m.x && x <= m.x1) ?? null;
}

/** Bar line nearest the pointer for a drag target; a metre change counts bars without itself. */
export function dragTarget(ed: Editor, d: LaneDrag, x: number): number {
  const tick = Math.max(0, xToTick(ed.view, x));
  const meta = ed.store.meta;
  if (d.kind === 'tempo') return barGridOf(meta).barRound(tick);
  return new BarGrid(timeSignaturesOf(meta).filter((s) => s.tick !== d.from)).barRound(tick);
}

/** Writes a finished drag; returns an error message if the edit was refused. */
export function commitDrag(ed: Editor, d: LaneDrag): string | null {
  if (!d.moved || d.to === d.from || d.to <= 0) return null;
  try {
    const meta = ed.store.meta;
    writeTiming(ed.conn.doc, d.kind === 'tempo' ? moveTempo(meta, d.from, d.to) : moveMetre(meta, d.from, d.to), ed.conn.origin);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
