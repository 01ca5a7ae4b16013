// Drawing the roll. The base layer (rows, grid, notes) is redrawn only when the score, selection,
// viewport or a gesture preview changes; it touches just the notes inside the visible tick and pitch
// window (via the time index), so cost follows what is on screen, not the session's size. The
// overlay layer (playhead, loop, peers' cursors, rubber band) is cheap and redrawn freely.
import { pitchToY, tickToX, visiblePitches, visibleTicks, xToTick, type TickRect } from '@/lib/editing';
import { barGridOf } from '@/lib/editing/bar-lines';
import type { Note, NoteId } from '@/lib/score';
import type { Editor } from '../editor';
import { pitchName } from '@/lib/editing';
import { THEME, isBlackKey } from './theme';
import { grid } from '../commands';
import { drawVersionPreview } from '../history/draw';

export interface Preview {
  move?: { ids: ReadonlySet<NoteId>; dt: number; dp: number };
  resize?: { ids: ReadonlySet<NoteId>; dd: number };
  draft?: { pitch: number; start: number; duration: number };
  box?: TickRect;
}

export function drawBase(ctx: CanvasRenderingContext2D, ed: Editor, preview: Preview): number {
  const v = ed.view;
  const { width: w, height: h } = v;
  ctx.fillStyle = THEME.bg;
  ctx.fillRect(0, 0, w, h);
  const [pLow, pHigh] = visiblePitches(v);
  const rh = v.rowHeight;
  for (let p = pLow; p <= pHigh; p++) {
    ctx.fillStyle = p % 12 === 0 ? THEME.rowC : isBlackKey(p) ? THEME.rowBlack : THEME.rowWhite;
    ctx.fillRect(0, pitchToY(v, p), w, rh - 1);
  }
  // Vertical grid: fine steps, beats, bars, counted across metre changes (lib/editing/bar-lines.ts).
  const [t0, t1] = visibleTicks(v);
  const bars = barGridOf(ed.store.meta);
  for (const line of bars.lines(t0, t1, grid(ed), 8 / v.pxPerTick)) {
    ctx.fillStyle = line.kind === 'bar' ? THEME.bar : line.kind === 'beat' ? THEME.beat : THEME.line;
    ctx.fillRect(Math.round(tickToX(v, line.tick)), 0, 1, h);
  }
  // Song end marker.
  const endX = tickToX(v, bars.barStart(ed.store.meta.lengthBars));
  if (endX < w) {
    ctx.fillStyle = 'rgba(0,0,0,0.35)';
    ctx.fillRect(Math.max(0, endX), 0, w, h);
  }

  // A previewed version (app/editor/history) replaces the live notes, on this page only.
  const history = drawVersionPreview(ctx, ed);
  if (history >= 0) return history;
  const active = ed.ui.activeTrackId;
  const colors = new Map(ed.store.tracks.map((t) => [t.id as string, t.color]));
  const sel = ed.ui.selection;
  const moving = preview.move?.ids ?? preview.resize?.ids;
  const remoteSel = new Map<string, string>();
  for (const p of ed.presence.remotePeers()) for (const id of p.selection) remoteSel.set(id, p.color);

  let drawn = 0;
  const ghosts: Note[] = [];
  const mine: Note[] = [];
  ed.store.noteIndex().forEachInRange(t0, t1 + 1, (n) => {
    if (moving?.has(n.id)) return;
    (n.trackId === active ? mine : ghosts).push(n);
  }, pLow, pHigh);
  // Ghost notes of the other tracks: flat and dim, beneath the active track's notes.
  ctx.globalAlpha = 0.28;
  for (const n of ghosts) {
    ctx.fillStyle = colors.get(n.trackId) ?? '#888';
    const x = tickToX(v, n.start);
    ctx.fillRect(x, pitchToY(v, n.pitch) + 1, Math.max(2, n.duration * v.pxPerTick - 1), rh - 3);
  }
  ctx.globalAlpha = 1;
  // Other people's selections show on ghost notes too (they may be editing another track).
  if (remoteSel.size) {
    ctx.lineWidth = 2;
    for (const n of ghosts) {
      const rc = remoteSel.get(n.id);
      if (!rc) continue;
      ctx.strokeStyle = rc;
      ctx.strokeRect(tickToX(v, n.start) + 0.5, pitchToY(v, n.pitch) + 1.5, Math.max(2, n.duration * v.pxPerTick - 2), rh - 4);
    }
  }
  drawn += ghosts.length;
  const color = colors.get(active ?? '') ?? '#5b8def';
  const label = rh >= 12;
  ctx.font = `${Math.min(11, rh - 3)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const drawNote = (n: Note, isSel: boolean) => {
    const x = tickToX(v, n.start);
    const y = pitchToY(v, n.pitch) + 1;
    const nw = Math.max(3, n.duration * v.pxPerTick - 1);
    const nh = rh - 3;
    // Velocity shown as opacity plus a bar along the bottom edge.
    ctx.globalAlpha = 0.45 + 0.55 * (n.velocity / 127);
    ctx.fillStyle = isSel ? '#ffffff' : color;
    ctx.fillRect(x, y, nw, nh);
    ctx.globalAlpha = 1;
    ctx.fillStyle = 'rgba(0,0,0,0.35)';
    ctx.fillRect(x, y + nh - 2, nw * (n.velocity / 127), 2);
    const rc = remoteSel.get(n.id);
    if (isSel || rc) {
      ctx.strokeStyle = rc ?? THEME.select;
      ctx.lineWidth = rc ? 2 : 1;
      ctx.strokeRect(x + 0.5, y + 0.5, nw - 1, nh - 1);
    }
    if (label && nw > 30) {
      ctx.fillStyle = isSel ? '#111' : 'rgba(255,255,255,0.85)';
      ctx.fillText(pitchName(n.pitch, ed.store.meta.key), x + 4, y + nh / 2, nw - 6);
    }
  };
  for (const n of mine) drawNote(n, sel.has(n.id));
  drawn += mine.length;
  if (moving) {
    const dt = preview.move?.dt ?? 0;
    const dp = preview.move?.dp ?? 0;
    const dd = preview.resize?.dd ?? 0;
    for (const n of ed.store.notesOf(moving)) drawNote({ ...n, start: n.start + dt, pitch: n.pitch + dp, duration: Math.max(1, n.duration + dd) }, true);
  }
  if (preview.draft) drawNote({ id: '' as NoteId, trackId: active!, velocity: 100, ...preview.draft }, true);
  return drawn;
}

export interface DrawnCursor {
  clientId: number;
  name: string;
  x: number;
  y: number;
  visible: boolean;
}

export function drawOverlay(ctx: CanvasRenderingContext2D, ed: Editor, preview: Preview, playTick: number): DrawnCursor[] {
  const v = ed.view;
  ctx.clearRect(0, 0, v.width, v.height);
  if (ed.ui.loop.enabled) {
    const bars = barGridOf(ed.store.meta);
    const x0 = tickToX(v, bars.barStart(ed.ui.loop.startBar - 1));
    const x1 = tickToX(v, bars.barStart(ed.ui.loop.endBar - 1));
    ctx.fillStyle = THEME.loop;
    ctx.fillRect(x0, 0, x1 - x0, v.height);
  }
  if (preview.box) {
    const b = preview.box;
    const x0 = tickToX(v, Math.min(b.t0, b.t1));
    const x1 = tickToX(v, Math.max(b.t0, b.t1));
    const y0 = pitchToY(v, Math.max(b.p0, b.p1));
    const y1 = pitchToY(v, Math.min(b.p0, b.p1)) + v.rowHeight;
    ctx.fillStyle = THEME.box;
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.strokeStyle = THEME.boxEdge;
    ctx.lineWidth = 1;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0);
  }
  const px = tickToX(v, playTick);
  if (px >= 0 && px <= v.width) {
    ctx.fillStyle = THEME.playhead;
    ctx.fillRect(Math.round(px), 0, 2, v.height);
  }
  const out: DrawnCursor[] = [];
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const p of ed.presence.remotePeers()) {
    if (!p.cursor) continue;
    const x = tickToX(v, p.cursor.tick);
    const y = pitchToY(v, p.cursor.pitch) + v.rowHeight / 2;
    const visible = x >= -10 && x <= v.width + 10 && y >= -10 && y <= v.height + 10;
    out.push({ clientId: p.clientId, name: p.name, x, y, visible });
    if (!visible) continue;
    ctx.fillStyle = p.color;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 11, y + 4);
    ctx.lineTo(x + 4, y + 11);
    ctx.closePath();
    ctx.fill();
    const tw = ctx.measureText(p.name).width + 8;
    ctx.fillRect(x + 10, y + 10, tw, 16);
    ctx.fillStyle = '#0b0d12';
    ctx.fillText(p.name, x + 14, y + 12);
  }
  return out;
}

/** Used by the ruler and gestures: the tick under an x, for playhead placement. */
export const xTick = (ed: Editor, x: number) => Math.max(0, xToTick(ed.view, x));
