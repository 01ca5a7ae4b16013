// Colours of the roll, shared by the canvas layers (kept in one place to match editor.css).
export const THEME = {
  bg: '#0e1016',
  rowWhite: '#151922',
  rowBlack: '#10131a',
  rowC: '#1a1f2b',
  line: '#1c212c',
  beat: '#272d3b',
  bar: '#3a4257',
  text: '#9aa3b5',
  textDim: '#5d6578',
  playhead: '#ff5d5d',
  loop: 'rgba(91, 141, 239, 0.16)',
  loopEdge: '#5b8def',
  select: '#ffffff',
  box: 'rgba(120, 160, 255, 0.15)',
  boxEdge: 'rgba(140, 175, 255, 0.9)',
} as const;

const BLACK = new Set([1, 3, 6, 8, 10]);
export const isBlackKey = (pitch: number) => BLACK.has(pitch % 12);

/** Sizes a canvas's backing store to its CSS box at the device pixel ratio; returns the 2D context. */
export function fitCanvas(c: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const bw = Math.max(1, Math.round(w * dpr));
  const bh = Math.max(1, Math.round(h * dpr));
  if (c.width !== bw || c.height !== bh) {
    c.width = bw;
    c.height = bh;
  }
  const ctx = c.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
