// Draws a previewed version on the roll in place of the live notes (the roll calls this from its
// base layer). Plain preview: the version's notes in their tracks' colours. Diff mode: the live
// score coloured against the version — added green, removed red (where they were), changed amber
// with the version's position outlined — and unchanged notes grey.
import { pitchToY, tickToX, visiblePitches, visibleTicks } from '@/lib/editing';
import type { Note } from '@/lib/score';
import type { Editor } from '../editor';
import { previewDiff, previewIndex, previewOf } from './preview';

export const DIFF_COLORS = { added: '#43c463', removed: '#ef5350', changed: '#ffb300', same: '#8a93a6' } as const;

/** Returns the number of notes drawn, or -1 when no version is previewed (the roll draws the live notes). */
export function drawVersionPreview(ctx: CanvasRenderingContext2D, ed: Editor): number {
  const p = previewOf(ed);
  if (!p) return -1;
  const v = ed.view;
  const [t0, t1] = visibleTicks(v);
  const [pLow, pHigh] = visiblePitches(v);
  const rh = v.rowHeight;
  // A tint says "this is not the live score".
  ctx.fillStyle = 'rgba(40, 60, 110, 0.18)';
  ctx.fillRect(0, 0, v.width, v.height);
  const rect = (n: Pick<Note, 'start' | 'pitch' | 'duration'>) => [tickToX(v, n.start), pitchToY(v, n.pitch) + 1, Math.max(3, n.duration * v.pxPerTick - 1), rh - 3] as const;
  let drawn = 0;
  if (!p.diff) {
    const colors = new Map(p.score.tracks.map((t) => [t.id as string, t.color]));
    previewIndex(ed)?.forEachInRange(t0, t1 + 1, (n) => {
      const [x, y, w, h] = rect(n);
      ctx.globalAlpha = 0.45 + 0.55 * (n.velocity / 127);
      ctx.fillStyle = colors.get(n.trackId) ?? '#888';
      ctx.fillRect(x, y, w, h);
      drawn++;
    }, pLow, pHigh);
    ctx.globalAlpha = 1;
    return drawn;
  }
  const d = previewDiff(ed)!;
  const before = new Map(d.diff.changed.map((c) => [c.after.id as string, c.before]));
  d.index.forEachInRange(t0, t1 + 1, (n) => {
    const kind = d.kinds.get(n.id);
    const [x, y, w, h] = rect(n);
    ctx.globalAlpha = kind ? 0.95 : 0.4;
    ctx.fillStyle = kind ? DIFF_COLORS[kind] : DIFF_COLORS.same;
    ctx.fillRect(x, y, w, h);
    if (kind === 'removed') {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, y + h / 2);
      ctx.lineTo(x + w, y + h / 2);
      ctx.stroke();
    }
    drawn++;
  }, pLow, pHigh);
  // Where changed notes were in the version.
  ctx.globalAlpha = 1;
  ctx.strokeStyle = DIFF_COLORS.changed;
  ctx.setLineDash([3, 2]);
  for (const b of before.values()) {
    if (b.start > t1 || b.start + b.duration < t0 || b.pitch < pLow || b.pitch > pHigh) continue;
    const [x, y, w, h] = rect(b);
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }
  ctx.setLineDash([]);
  return drawn;
}
