'use client';
// The piano roll: keyboard, ruler, note canvas (base + overlay layers), velocity lane and a
// horizontal scrollbar, all sharing the editor's viewport. One requestAnimationFrame loop repaints
// only the layers whose inputs changed since the last frame.
import { useEffect, useRef, useState } from 'react';
import { clampViewport, snapFloor, tickToX, xToTick, yToPitch, zoomX, zoomY, type Viewport } from '@/lib/editing';
import type { Editor } from '../editor';
import { applyPatches } from '../commands';
import { setVelocity } from '@/lib/editing';
import { rollStats } from '../debug';
import { RollGestures } from './gestures';
import { drawBase, drawOverlay } from './render';
import { KEYS_W, RULER_H, VEL_H, drawKeyboard, drawRuler, drawVelocity } from './lanes';
import { RollTouch } from './touch';
import { fitCanvas } from './theme';
import { onPreviewChange } from '../history/preview';
import { drawSuggestionOverlay, installProvenanceTooltip } from './suggestion-overlay';
import { aiView } from '../ai/ai-view';
import { barGridOf } from '@/lib/editing/bar-lines';
import { barTick } from '../transport';
import { takeLaneDirty } from './tempo-lane';
import { LaneLabels, TempoLane } from './TempoLane';

export function PianoRoll({ ed }: { ed: Editor }) {
  const wrap = useRef<HTMLDivElement>(null);
  const keys = useRef<HTMLCanvasElement>(null);
  const ruler = useRef<HTMLCanvasElement>(null);
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const vel = useRef<HTMLCanvasElement>(null);
  const [scroll, setScroll] = useState({ left: 0, width: 1 });

  useEffect(() => {
    const dirty = { base: true, overlay: true };
    let pressed: number | null = null;
    let velDrag: { id: string; velocity: number } | null = null;
    let raf = 0;
    const markBase = () => ((dirty.base = true), (dirty.overlay = true));
    const markOverlay = () => (dirty.overlay = true);
    const gestures = new RollGestures(ed, overlay.current!, markBase);
    let lastPlay = -1;

    const frame = () => {
      raf = requestAnimationFrame(frame);
      const f0 = performance.now();
      let painted = -1;
      const v = ed.view;
      const playing = ed.engine?.playing ?? false;
      const playTick = playing ? ed.engine!.ticks : ed.playheadTick;
      if (playing && ed.ui.follow) {
        const x = tickToX(v, playTick);
        if (x > v.width * 0.92 || x < 0) {
          ed.setView(clampViewport({ ...v, scrollTick: Math.max(0, playTick - (v.width * 0.08) / v.pxPerTick) }));
        }
      }
      if (playTick !== lastPlay) {
        lastPlay = playTick;
        dirty.overlay = true;
      }
      if (dirty.base) {
        dirty.base = false;
        const ctx = fitCanvas(base.current!, v.width, v.height);
        const drawn = drawBase(ctx, ed, gestures.preview);
        drawKeyboard(fitCanvas(keys.current!, KEYS_W, v.height), ed, pressed);
        drawVelocity(fitCanvas(vel.current!, v.width, VEL_H), ed, v.width, velDrag);
        painted = drawn;
      }
      if (takeLaneDirty(ed)) dirty.overlay = true; // a tempo/metre lane drag (tempo-lane.ts)
      if (dirty.overlay) {
        dirty.overlay = false;
        const octx = fitCanvas(overlay.current!, v.width, v.height);
        rollStats.cursors = drawOverlay(octx, ed, gestures.preview, playTick);
        drawSuggestionOverlay(octx, ed); // AI ghost notes and job progress (issue 13)
        drawRuler(fitCanvas(ruler.current!, v.width, RULER_H), ed, playTick, v.width);
      }
      // Frame cost = all main-thread work of this frame (follow-scroll, every layer repainted).
      if (painted >= 0) {
        const f1 = performance.now();
        rollStats.record({ at: performance.timeOrigin + f1, drawMs: f1 - f0, notesDrawn: painted, version: ed.store.version });
      }
    };
    raf = requestAnimationFrame(frame);

    const updateScroll = () => {
      const v = ed.view;
      const total = Math.max(ed.store.meta.lengthBars * ed.barTicks, ed.store.noteIndex().size ? scoreEndTick(ed) : 0, xToTick(v, v.width)) + ed.barTicks * 4;
      setScroll({ left: v.scrollTick / total, width: Math.min(1, v.width / v.pxPerTick / total) });
    };
    const unsubs = [
      ed.store.subscribe(markBase),
      ed.subscribeUi(markBase),
      ed.subscribeView(() => (markBase(), updateScroll())),
      ed.presence.subscribe(markBase),
      onPreviewChange(ed, markBase),
      aiView(ed).subscribe(markOverlay),
      installProvenanceTooltip(ed, overlay.current!),
    ];

    // Size the viewport to the note area.
    const area = overlay.current!.parentElement!;
    const ro = new ResizeObserver(() => {
      const r = area.getBoundingClientRect();
      ed.setView(clampViewport({ ...ed.view, width: Math.max(50, r.width), height: Math.max(50, r.height) }));
    });
    ro.observe(area);

    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      ed.userTookControl();
      const r = area.getBoundingClientRect();
      const v = ed.view;
      let next: Viewport;
      if (e.ctrlKey || e.metaKey) next = zoomX(v, Math.exp(-e.deltaY * 0.002), e.clientX - r.left);
      else if (e.altKey) next = zoomY(v, Math.exp(-e.deltaY * 0.002), e.clientY - r.top);
      else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) next = clampViewport({ ...v, scrollTick: v.scrollTick + (e.deltaX || e.deltaY) / v.pxPerTick });
      else next = clampViewport({ ...v, scrollY: v.scrollY + e.deltaY });
      ed.setView(next);
    };
    wrap.current!.addEventListener('wheel', onWheel, { passive: false });

    const ov = overlay.current!;
    // Touch has its own handler (long press, two-finger pan, pinch); mouse and pen go straight to the gestures.
    const touch = new RollTouch(ed, ov, gestures);
    const by = (mouse: (e: PointerEvent) => void, finger: (e: PointerEvent) => void) => (e: PointerEvent) => (e.pointerType === 'touch' ? finger(e) : mouse(e));
    ov.addEventListener('pointerdown', by(gestures.down, touch.down));
    ov.addEventListener('pointermove', by(gestures.move, touch.move));
    ov.addEventListener('pointerup', by(gestures.up, touch.up));
    ov.addEventListener('pointercancel', by(gestures.up, touch.up));
    ov.addEventListener('pointerleave', gestures.leave);
    ov.addEventListener('contextmenu', gestures.context);

    // Keyboard: press to audition.
    const kc = keys.current!;
    const keyDown = (e: PointerEvent) => {
      const r = kc.getBoundingClientRect();
      pressed = yToPitch(ed.view, e.clientY - r.top);
      const inst = ed.store.track(ed.ui.activeTrackId)?.instrument ?? 'piano';
      const p = pressed;
      void ed.audio().then((a) => a.audition(p, inst)).catch(() => undefined);
      markBase();
    };
    const keyUp = () => ((pressed = null), markBase());
    kc.addEventListener('pointerdown', keyDown);
    kc.addEventListener('pointerup', keyUp);
    kc.addEventListener('pointerleave', keyUp);

    // Ruler: click places the playhead; dragging marks a loop range in whole bars.
    const rc = ruler.current!;
    let rulerDrag: { startBar: number; moved: boolean } | null = null;
    const rTick = (e: PointerEvent) => Math.max(0, xToTick(ed.view, e.clientX - rc.getBoundingClientRect().left));
    rc.addEventListener('pointerdown', (e) => {
      rc.setPointerCapture(e.pointerId);
      rulerDrag = { startBar: barGridOf(ed.store.meta).barAt(rTick(e)) + 1, moved: false };
    });
    rc.addEventListener('pointermove', (e) => {
      if (!rulerDrag) return;
      const bars = barGridOf(ed.store.meta);
      const bar = bars.barAt(bars.barRound(rTick(e))) + 1;
      if (bar !== rulerDrag.startBar && Math.abs(bar - rulerDrag.startBar) >= 1) {
        rulerDrag.moved = true;
        const a = Math.min(bar, rulerDrag.startBar);
        const b = Math.max(bar, rulerDrag.startBar + (bar > rulerDrag.startBar ? 0 : 1));
        ed.setUi({ loop: { enabled: true, startBar: a, endBar: Math.max(a + 1, b) } });
        ed.engine?.setLoop(true, barTick(ed, a), barTick(ed, Math.max(a + 1, b)));
      }
    });
    rc.addEventListener('pointerup', (e) => {
      if (rulerDrag && !rulerDrag.moved) {
        ed.playheadTick = snapFloor(rTick(e), ed.beatTicks / 2);
        if (ed.engine?.playing) ed.engine.play(ed.playheadTick);
        markOverlay();
      }
      rulerDrag = null;
    });

    // Velocity lane: drag a stalk up or down; the selection follows the dragged note's value.
    const vc = vel.current!;
    const velAt = (e: PointerEvent) => Math.max(1, Math.min(127, Math.round(((VEL_H - (e.clientY - vc.getBoundingClientRect().top)) / (VEL_H - 6)) * 127)));
    vc.addEventListener('pointerdown', (e) => {
      const x = e.clientX - vc.getBoundingClientRect().left;
      const tol = 5 / ed.view.pxPerTick;
      const t = xToTick(ed.view, x);
      const hit = ed.store.noteIndex().startingIn(t - tol, t + tol).find((n) => n.trackId === ed.ui.activeTrackId);
      if (!hit) return;
      vc.setPointerCapture(e.pointerId);
      velDrag = { id: hit.id, velocity: velAt(e) };
      markBase();
    });
    vc.addEventListener('pointermove', (e) => {
      if (!velDrag) return;
      velDrag.velocity = velAt(e);
      markBase();
    });
    vc.addEventListener('pointerup', () => {
      if (!velDrag) return;
      const ids = ed.ui.selection.has(velDrag.id as never) ? [...ed.ui.selection] : [velDrag.id];
      applyPatches(ed, setVelocity(ed.store.notesOf(ids as never), velDrag.velocity));
      velDrag = null;
      markBase();
    });

    updateScroll();
    return () => {
      cancelAnimationFrame(raf);
      unsubs.forEach((u) => u());
      ro.disconnect();
      wrap.current?.removeEventListener('wheel', onWheel);
    };
  }, [ed]);

  // Scrollbar thumb dragging.
  const onThumbDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const trackEl = e.currentTarget.parentElement!;
    const startX = e.clientX;
    const startTick = ed.view.scrollTick;
    const total = ed.view.width / ed.view.pxPerTick / Math.max(0.01, scroll.width);
    e.currentTarget.setPointerCapture(e.pointerId);
    const moveFn = (ev: PointerEvent) => {
      const dx = ev.clientX - startX;
      ed.setView(clampViewport({ ...ed.view, scrollTick: startTick + (dx / trackEl.clientWidth) * total }));
    };
    const upFn = () => {
      window.removeEventListener('pointermove', moveFn);
      window.removeEventListener('pointerup', upFn);
    };
    window.addEventListener('pointermove', moveFn);
    window.addEventListener('pointerup', upFn);
  };

  return (
    <div className="tt-roll" ref={wrap} data-testid="piano-roll">
      <div className="tt-roll-corner">
        <LaneLabels />
      </div>
      <canvas ref={ruler} className="tt-ruler" data-testid="ruler" />
      <canvas ref={keys} className="tt-keys" data-testid="keyboard" />
      <div className="tt-notes">
        <canvas ref={base} className="tt-layer" />
        <canvas ref={overlay} className="tt-layer" data-testid="roll-canvas" />
      </div>
      <div className="tt-vel-label">Velocity</div>
      <canvas ref={vel} className="tt-vel" data-testid="velocity-lane" />
      <div />
      <div className="tt-hscroll">
        <div className="tt-hthumb" style={{ left: `${Math.min(100, scroll.left * 100)}%`, width: `${Math.max(3, scroll.width * 100)}%` }} onPointerDown={onThumbDown} />
      </div>
      <TempoLane ed={ed} ruler={ruler} />
    </div>
  );
}

function scoreEndTick(ed: Editor): number {
  const all = ed.store.noteIndex().all();
  const last = all[all.length - 1];
  return last ? last.start + last.duration : 0;
}
