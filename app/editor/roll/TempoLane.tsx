'use client';
// Gestures and the popover of the ruler's tempo/metre lane (drawn by tempo-lane.ts):
// - double-click (or right-click) an empty spot of a row: add a tempo / metre change at that bar;
// - click a marker (or right-click it): edit its value, or delete it (not the one at the start);
// - drag a marker: move it to another bar.
// Clicks on empty lane space fall through to the ruler (playhead, loop range). A view link sees the
// lane but cannot edit it.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { xToTick } from '@/lib/editing';
import { barGridOf } from '@/lib/editing/bar-lines';
import { temposOf, timeSignatureAt, timeSignaturesOf } from '@/lib/score';
import { removeMetre, removeTempo, setMetreAt, setTempoAt, writeTiming } from '@/lib/score/tempo-commands';
import type { Editor } from '../editor';
import { barTick } from '../transport';
import { LANE_COLORS, LANE_ROW_H, commitDrag, dragTarget, formatBpm, laneState, markerAt, rowAt, type LaneKind } from './tempo-lane';

interface Popover {
  kind: LaneKind;
  tick: number;
  mode: 'add' | 'edit';
  x: number;
  y: number;
}

const DENOMINATORS = [1, 2, 4, 8, 16, 32];
const HINT = 'Tempo and metre lane: double-click to add a change at a bar, click a marker to edit or delete it, drag it to move it';

export function TempoLane({ ed, ruler }: { ed: Editor; ruler: RefObject<HTMLCanvasElement | null> }) {
  const [pop, setPop] = useState<Popover | null>(null);

  useEffect(() => {
    const rc = ruler.current;
    if (!rc) return;
    const st = laneState(ed);
    const local = (e: MouseEvent) => {
      const r = rc.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const repaint = () => (st.dirty = true);
    const open = (kind: LaneKind, tick: number, mode: Popover['mode'], e: MouseEvent) => setPop({ kind, tick, mode, x: e.clientX, y: e.clientY });
    const barUnder = (x: number) => barGridOf(ed.store.meta).barFloor(Math.max(0, xToTick(ed.view, x)));

    // Capture listeners: they run before the ruler's own (playhead, loop) and stop them on a marker.
    const down = (e: PointerEvent) => {
      const { x, y } = local(e);
      const kind = rowAt(y);
      if (!kind || e.button !== 0 || ed.readOnly) return;
      const m = markerAt(ed, kind, x);
      if (!m) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      rc.setPointerCapture(e.pointerId);
      st.drag = { kind, from: m.tick, to: m.tick, startX: x, moved: false };
    };
    const move = (e: PointerEvent) => {
      const { x, y } = local(e);
      const d = st.drag;
      if (!d) {
        const kind = rowAt(y);
        rc.style.cursor = kind && !ed.readOnly ? (markerAt(ed, kind, x) ? 'grab' : 'copy') : '';
        rc.title = kind ? HINT : '';
        return;
      }
      e.stopImmediatePropagation();
      if (Math.abs(x - d.startX) > 3 && d.from > 0) d.moved = true;
      if (d.moved) {
        d.to = dragTarget(ed, d, x);
        rc.style.cursor = 'grabbing';
        repaint();
      }
    };
    const up = (e: PointerEvent) => {
      const d = st.drag;
      if (!d) return;
      e.stopImmediatePropagation();
      st.drag = null;
      if (rc.hasPointerCapture(e.pointerId)) rc.releasePointerCapture(e.pointerId);
      if (d.moved) {
        const err = commitDrag(ed, d);
        if (err) ed.toast(err, 'error');
      } else open(d.kind, d.from, 'edit', e);
      repaint();
    };
    const dbl = (e: MouseEvent) => {
      const { x, y } = local(e);
      const kind = rowAt(y);
      if (!kind || ed.readOnly) return;
      e.stopImmediatePropagation();
      const m = markerAt(ed, kind, x);
      open(kind, m ? m.tick : barUnder(x), m ? 'edit' : 'add', e);
    };
    const context = (e: MouseEvent) => {
      const { x, y } = local(e);
      const kind = rowAt(y);
      if (!kind) return;
      e.preventDefault();
      if (ed.readOnly) return;
      const m = markerAt(ed, kind, x);
      open(kind, m ? m.tick : barUnder(x), m ? 'edit' : 'add', e);
    };
    // A metre change moves the loop's bars: keep the playing loop on them.
    let lastMeta = ed.store.meta;
    const unsub = ed.store.subscribe(() => {
      if (ed.store.meta === lastMeta) return;
      lastMeta = ed.store.meta;
      const loop = ed.ui.loop;
      if (loop.enabled) ed.engine?.setLoop(true, barTick(ed, loop.startBar), barTick(ed, loop.endBar));
    });
    const opts = { capture: true };
    rc.addEventListener('pointerdown', down, opts);
    rc.addEventListener('pointermove', move, opts);
    rc.addEventListener('pointerup', up, opts);
    rc.addEventListener('pointercancel', up, opts);
    rc.addEventListener('dblclick', dbl, opts);
    rc.addEventListener('contextmenu', context, opts);
    return () => {
      unsub();
      rc.removeEventListener('pointerdown', down, opts);
      rc.removeEventListener('pointermove', move, opts);
      rc.removeEventListener('pointerup', up, opts);
      rc.removeEventListener('pointercancel', up, opts);
      rc.removeEventListener('dblclick', dbl, opts);
      rc.removeEventListener('contextmenu', context, opts);
    };
  }, [ed, ruler]);

  return pop ? <LanePopover key={`${pop.kind}:${pop.tick}:${pop.mode}`} ed={ed} pop={pop} onClose={() => setPop(null)} /> : null;
}

/** Names of the lane rows, in the corner left of the ruler. */
export function LaneLabels() {
  const row = (kind: LaneKind, text: string) => (
    <div style={{ height: LANE_ROW_H, lineHeight: `${LANE_ROW_H}px`, fontSize: 9, paddingLeft: 6, color: LANE_COLORS[kind], letterSpacing: 0.3 }} title={HINT}>
      {text}
    </div>
  );
  return (
    <>
      {row('tempo', 'Tempo')}
      {row('metre', 'Metre')}
    </>
  );
}

function LanePopover({ ed, pop, onClose }: { ed: Editor; pop: Popover; onClose: () => void }) {
  const box = useRef<HTMLFormElement>(null);
  const meta = ed.store.meta;
  const metre = timeSignatureAt(timeSignaturesOf(meta), pop.tick);
  const tempo = temposOf(meta)
    .filter((t) => t.tick <= pop.tick)
    .pop()!;
  const [bpm, setBpm] = useState(formatBpm(tempo.bpm));
  const [num, setNum] = useState(String(metre.numerator));
  const [den, setDen] = useState(String(metre.denominator));
  const [error, setError] = useState<string | null>(null);
  const bar = barGridOf(meta).barAt(pop.tick) + 1;
  const what = pop.kind === 'tempo' ? 'tempo' : 'metre';

  useEffect(() => {
    // A press anywhere else closes it, as a menu would.
    const outside = (e: PointerEvent) => box.current && !box.current.contains(e.target as Node) && onClose();
    window.addEventListener('pointerdown', outside, true);
    return () => window.removeEventListener('pointerdown', outside, true);
  }, [onClose]);

  const run = (edit: () => void) => {
    try {
      edit();
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const apply = () =>
    run(() => {
      const m = ed.store.meta;
      const patch = pop.kind === 'tempo' ? setTempoAt(m, pop.tick, Number(bpm)) : setMetreAt(m, pop.tick, Number(num), Number(den));
      writeTiming(ed.conn.doc, patch, ed.conn.origin);
    });
  const remove = () =>
    run(() => writeTiming(ed.conn.doc, pop.kind === 'tempo' ? removeTempo(ed.store.meta, pop.tick) : removeMetre(ed.store.meta, pop.tick), ed.conn.origin));

  const left = Math.max(8, Math.min(pop.x - 20, (typeof window !== 'undefined' ? window.innerWidth : 1000) - 250));
  return (
    <form
      ref={box}
      role="dialog"
      aria-label={`${pop.mode === 'add' ? 'Add' : 'Edit'} ${what} change`}
      data-testid="tempo-lane-popover"
      onSubmit={(e) => (e.preventDefault(), apply())}
      onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}
      style={{
        position: 'fixed',
        left,
        top: pop.y + 12,
        zIndex: 60,
        background: '#171b25',
        border: '1px solid #2c3344',
        borderRadius: 8,
        padding: 8,
        display: 'flex',
        flexWrap: 'wrap',
        gap: 6,
        alignItems: 'center',
        width: 236,
        boxShadow: '0 8px 24px rgba(0,0,0,0.5)',
        fontSize: 12,
      }}
    >
      <div style={{ width: '100%', color: '#9aa3b5' }}>
        {pop.mode === 'add' ? 'New' : pop.tick === 0 ? 'Starting' : ''} {what} {pop.tick === 0 ? '' : `at bar ${bar}`}
      </div>
      {pop.kind === 'tempo' ? (
        <label>
          BPM{' '}
          <input
            className="tt-num"
            style={{ width: 56 }}
            type="number"
            min={20}
            max={400}
            step="any"
            value={bpm}
            onChange={(e) => setBpm(e.target.value)}
            autoFocus
            data-testid="lane-bpm"
          />
        </label>
      ) : (
        <span>
          <input
            className="tt-num"
            type="number"
            min={1}
            max={32}
            step={1}
            value={num}
            onChange={(e) => setNum(e.target.value)}
            autoFocus
            aria-label="Beats per bar"
            data-testid="lane-numerator"
          />
          {' / '}
          <select className="tt-select" value={den} onChange={(e) => setDen(e.target.value)} aria-label="Beat unit" data-testid="lane-denominator">
            {DENOMINATORS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </span>
      )}
      <button type="submit" className="tt-btn on" data-testid="lane-apply">
        {pop.mode === 'add' ? 'Add' : 'Set'}
      </button>
      {pop.mode === 'edit' && pop.tick > 0 && (
        <button type="button" className="tt-btn" onClick={remove} data-testid="lane-delete">
          Delete
        </button>
      )}
      <button type="button" className="tt-btn" onClick={onClose}>
        Cancel
      </button>
      {error && (
        <div role="alert" style={{ width: '100%', color: '#ff8a8a' }}>
          {error}
        </div>
      )}
    </form>
  );
}
