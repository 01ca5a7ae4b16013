// The roll's side lanes: the keyboard on the left, the bar ruler on top (with loop range), and the
// velocity lane underneath. Each draws only the visible slice of the shared viewport.
import { pitchToY, tickToX, visiblePitches, visibleTicks } from '@/lib/editing';
import type { Editor } from '../editor';
import { pitchName } from '@/lib/editing';
import { THEME, isBlackKey } from './theme';
import { barGridOf } from '@/lib/editing/bar-lines';
import { LANE_H, drawLane } from './tempo-lane';

export const KEYS_W = 64;
/** The ruler: the tempo/metre lane (LANE_H) above 26 px of bar numbers; editor.css sizes it to match. */
export const RULER_H = LANE_H + 26;
export const VEL_H = 72;
/** Length of a black key, from the outer edge. */
export const BLACK_W = Math.round(KEYS_W * 0.62);

/**
 * The keyboard strip, drawn like a piano turned on its side: black keys start at the outer (left)
 * edge, key fronts face the grid. Keys pressed here, and keys others hold on their MIDI keyboards
 * (presence), light up in the player's colour.
 */
export function drawKeyboard(ctx: CanvasRenderingContext2D, ed: Editor, pressed: number | null): void {
  const v = ed.view;
  ctx.fillStyle = '#0b0d12';
  ctx.fillRect(0, 0, KEYS_W, v.height);
  const [lo, hi] = visiblePitches(v);
  const lit = new Map<number, string>();
  for (const p of ed.presence.peers()) for (const k of p.keys) lit.set(k, p.color);
  if (pressed !== null) lit.set(pressed, '#5b8def');
  const key = ed.store.meta.key;
  ctx.font = `${Math.min(10, v.rowHeight - 2)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (let p = lo; p <= hi; p++) {
    const y = pitchToY(v, p);
    const black = isBlackKey(p);
    const on = lit.get(p);
    ctx.fillStyle = on ?? (black ? '#1b1e26' : '#d9dde6');
    ctx.fillRect(0, y, black ? BLACK_W : KEYS_W - 1, v.rowHeight - 1);
    if (black) {
      // The white keys' fronts run on past the black key's end, towards the grid.
      ctx.fillStyle = '#d9dde6';
      ctx.fillRect(BLACK_W, y, KEYS_W - BLACK_W - 1, v.rowHeight - 1);
    }
    if (p % 12 === 0 && v.rowHeight >= 8) {
      ctx.fillStyle = '#39404f';
      ctx.fillText(pitchName(p, key), KEYS_W - 26, y + v.rowHeight / 2);
    }
  }
}

/**
 * The ruler: the tempo/metre lane on top (tempo-lane.ts), then bar numbers and beat ticks below it,
 * counted across metre changes (lib/editing/bar-lines.ts), with the loop range and the playhead.
 */
export function drawRuler(ctx: CanvasRenderingContext2D, ed: Editor, playTick: number, width: number): void {
  const v = ed.view;
  ctx.fillStyle = '#12151d';
  ctx.fillRect(0, 0, width, RULER_H);
  drawLane(ctx, ed, width);
  const o = LANE_H;
  const [t0, t1] = visibleTicks(v);
  const bars = barGridOf(ed.store.meta);
  if (ed.ui.loop.enabled) {
    const x0 = tickToX(v, bars.barStart(ed.ui.loop.startBar - 1));
    const x1 = tickToX(v, bars.barStart(ed.ui.loop.endBar - 1));
    ctx.fillStyle = 'rgba(91,141,239,0.45)';
    ctx.fillRect(x0, o, x1 - x0, 8);
  }
  // Label every bar, or every 2nd/4th/... when zoomed out so labels never collide.
  const shortest = Math.min(...bars.segments.filter((s) => s.tick <= t1 && s.end > t0).map((s) => s.barTicks));
  let every = 1;
  while (shortest * every * v.pxPerTick < 36) every *= 2;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const line of bars.lines(t0, t1, 0, 10 / v.pxPerTick)) {
    if (line.kind === 'sub') continue;
    const x = Math.round(tickToX(v, line.tick));
    const isBar = line.kind === 'bar';
    ctx.fillStyle = isBar ? THEME.text : THEME.textDim;
    ctx.fillRect(x, o + (isBar ? 10 : 18), 1, isBar ? RULER_H - o - 10 : RULER_H - o - 18);
    if (isBar && line.bar % every === 0) ctx.fillText(String(line.bar + 1), x + 4, o + 16);
  }
  ctx.fillStyle = '#262b38';
  ctx.fillRect(0, RULER_H - 1, width, 1);
  const px = tickToX(v, playTick);
  if (px >= -6 && px <= width + 6) {
    ctx.fillStyle = THEME.playhead;
    ctx.beginPath();
    ctx.moveTo(px - 6, o + 8);
    ctx.lineTo(px + 7, o + 8);
    ctx.lineTo(px + 1, RULER_H - 2);
    ctx.closePath();
    ctx.fill();
  }
}

export function drawVelocity(ctx: CanvasRenderingContext2D, ed: Editor, width: number, dragging: { id: string; velocity: number } | null): void {
  const v = ed.view;
  ctx.fillStyle = '#0c0e14';
  ctx.fillRect(0, 0, width, VEL_H);
  ctx.fillStyle = '#1c212c';
  for (const f of [0.25, 0.5, 0.75]) ctx.fillRect(0, Math.round(VEL_H * f), width, 1);
  const [t0, t1] = visibleTicks(v);
  const color = ed.store.track(ed.ui.activeTrackId)?.color ?? '#5b8def';
  const active = ed.ui.activeTrackId;
  ed.store.noteIndex().forEachInRange(t0 - 1, t1, (n) => {
    if (n.trackId !== active || n.start < t0 - 1) return;
    const vel = dragging?.id === n.id ? dragging.velocity : n.velocity;
    const x = tickToX(v, n.start);
    const h = ((VEL_H - 6) * vel) / 127;
    ctx.fillStyle = ed.ui.selection.has(n.id) ? '#ffffff' : color;
    ctx.fillRect(x, VEL_H - h, 3, h);
    ctx.beginPath();
    ctx.arc(x + 1.5, VEL_H - h, 3, 0, Math.PI * 2);
    ctx.fill();
  });
}
