// Coordinate maths of the piano roll: ticks ⇄ x pixels, pitches ⇄ y pixels, zooming around a point
// and which ticks/pitches are visible. Pure so the canvas code and the tests share one definition.
export interface Viewport {
  /** Tick at the left edge of the note area. */
  scrollTick: number;
  /** Pixels from the top of the highest pitch row (127) to the top of the view. */
  scrollY: number;
  pxPerTick: number;
  rowHeight: number;
  width: number;
  height: number;
}

export const MIN_PX_PER_TICK = 0.004;
export const MAX_PX_PER_TICK = 1.5;
export const MIN_ROW = 5;
export const MAX_ROW = 40;
export const PITCHES = 128;

export const tickToX = (v: Viewport, tick: number) => (tick - v.scrollTick) * v.pxPerTick;
export const xToTick = (v: Viewport, x: number) => v.scrollTick + x / v.pxPerTick;
/** Top edge of a pitch's row. */
export const pitchToY = (v: Viewport, pitch: number) => (127 - pitch) * v.rowHeight - v.scrollY;
export const yToPitch = (v: Viewport, y: number) => Math.max(0, Math.min(127, 127 - Math.floor((y + v.scrollY) / v.rowHeight)));

export function visibleTicks(v: Viewport): [number, number] {
  return [v.scrollTick, v.scrollTick + v.width / v.pxPerTick];
}

export function visiblePitches(v: Viewport): [number, number] {
  const top = 127 - Math.floor(v.scrollY / v.rowHeight);
  const bottom = 127 - Math.floor((v.scrollY + v.height) / v.rowHeight);
  return [Math.max(0, bottom), Math.min(127, top)];
}

export function clampViewport(v: Viewport): Viewport {
  const maxY = Math.max(0, PITCHES * v.rowHeight - v.height);
  return { ...v, scrollTick: Math.max(0, v.scrollTick), scrollY: Math.min(maxY, Math.max(0, v.scrollY)) };
}

/** Horizontal zoom by `factor`, keeping the tick under screen x fixed. */
export function zoomX(v: Viewport, factor: number, anchorX: number): Viewport {
  const tick = xToTick(v, anchorX);
  const pxPerTick = Math.min(MAX_PX_PER_TICK, Math.max(MIN_PX_PER_TICK, v.pxPerTick * factor));
  return clampViewport({ ...v, pxPerTick, scrollTick: tick - anchorX / pxPerTick });
}

/** Vertical zoom by `factor`, keeping the pitch position under screen y fixed. */
export function zoomY(v: Viewport, factor: number, anchorY: number): Viewport {
  const rowHeight = Math.min(MAX_ROW, Math.max(MIN_ROW, v.rowHeight * factor));
  const rows = (anchorY + v.scrollY) / v.rowHeight;
  return clampViewport({ ...v, rowHeight, scrollY: rows * rowHeight - anchorY });
}

/** Scroll so the pitch is vertically centred (used to frame C4 or the music on load). */
export function centreOnPitch(v: Viewport, pitch: number): Viewport {
  return clampViewport({ ...v, scrollY: (127 - pitch) * v.rowHeight - v.height / 2 });
}

/** Grid spacing in ticks fine enough to be useful but never denser than ~`minPx` pixels. */
export function gridStep(v: Viewport, snap: number, beat: number, minPx = 8): number {
  let step = snap > 0 ? snap : beat / 4;
  while (step * v.pxPerTick < minPx) step *= 2;
  return step;
}
