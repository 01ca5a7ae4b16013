// Touch on the note area. One finger works like the mouse (tap draws a note, drag moves or
// resizes, via RollGestures); holding still for LONG_PRESS_MS selects (a note: toggles it; empty
// space: starts a box); a second finger cancels that and pans with the fingers' midpoint and
// zooms time by their spread (pinch).
import { clampViewport, zoomX, type Viewport } from '@/lib/editing';
import type { Editor } from '../editor';
import type { RollGestures } from './gestures';

const LONG_PRESS_MS = 500;
const STILL_PX = 8;

type Pt = { x: number; y: number };

export class RollTouch {
  private pts = new Map<number, Pt>();
  private first: { id: number; at: Pt } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pinch: { view: Viewport; mid: Pt; dist: number } | null = null;

  constructor(
    private readonly ed: Editor,
    private readonly el: HTMLElement,
    private readonly gestures: RollGestures,
  ) {}

  private local(e: PointerEvent): Pt {
    const r = this.el.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private twoFinger(): { mid: Pt; dist: number } {
    const [a, b] = [...this.pts.values()] as [Pt, Pt];
    return { mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, dist: Math.max(20, Math.hypot(a.x - b.x, a.y - b.y)) };
  }

  down = (e: PointerEvent) => {
    this.pts.set(e.pointerId, this.local(e));
    this.gestures.touchDown = true;
    if (this.pts.size === 1) {
      this.first = { id: e.pointerId, at: this.local(e) };
      this.gestures.down(e);
      this.timer = setTimeout(() => {
        this.timer = null;
        if (navigator.vibrate) navigator.vibrate(15);
        this.gestures.longPress();
      }, LONG_PRESS_MS);
    } else if (this.pts.size === 2) {
      // The first finger's draw/move becomes a pan/pinch: nothing of it is written.
      this.clearTimer();
      if (this.first) this.gestures.cancel(this.first.id);
      this.first = null;
      this.el.setPointerCapture(e.pointerId);
      this.ed.userTookControl();
      this.pinch = { view: this.ed.view, ...this.twoFinger() };
    }
  };

  move = (e: PointerEvent) => {
    if (!this.pts.has(e.pointerId)) return;
    const p = this.local(e);
    this.pts.set(e.pointerId, p);
    if (this.pinch && this.pts.size >= 2) {
      const { mid, dist } = this.twoFinger();
      const s = this.pinch;
      const zoomed = zoomX(s.view, dist / s.dist, s.mid.x);
      this.ed.setView(clampViewport({ ...zoomed, scrollTick: zoomed.scrollTick + (s.mid.x - mid.x) / zoomed.pxPerTick, scrollY: zoomed.scrollY + (s.mid.y - mid.y) }));
      return;
    }
    if (this.first?.id === e.pointerId) {
      if (this.timer && Math.hypot(p.x - this.first.at.x, p.y - this.first.at.y) > STILL_PX) this.clearTimer();
      this.gestures.move(e);
    }
  };

  up = (e: PointerEvent) => {
    if (!this.pts.delete(e.pointerId)) return;
    this.clearTimer();
    if (this.first?.id === e.pointerId) {
      this.first = null;
      this.gestures.up(e);
    }
    if (this.pts.size < 2) this.pinch = null;
    // contextmenu from a long press arrives around pointerup: keep "touch" set until it has passed.
    if (this.pts.size === 0) setTimeout(() => (this.gestures.touchDown = this.pts.size > 0), 300);
  };
}
