'use client';
// A small piano roll on a canvas for the "how it works" views: the notes of a four-voice piece
// coloured by voice, optionally a heat map under them (the AR-CNN's probabilities), notes marked
// as just added or just removed, notes faded by a weight (the transformer's attention) and a strip
// of per-step weights along the bottom. Clicking a note reports it (hit test on the drawn boxes).
import { useEffect, useMemo, useRef } from 'react';
import type { ExplainNote } from '@/lib/ai/explain';

export const VOICE_COLORS = ['#e8e8e8', '#4fc3f7', '#81c784', '#ba68c8'];
export const VOICE_NAMES = ['Soprano (melody)', 'Alto', 'Tenor', 'Bass'];

export interface RollNote extends ExplainNote {
  mark?: 'added' | 'removed' | 'selected';
  /** 0–1: drawn with this much opacity (attention); undefined = fully opaque. */
  weight?: number;
}

export interface Heat {
  data: Float32Array;
  offsetTick: number;
  stepTicks: number;
  steps: number;
  lowPitch: number;
  pitches: number;
}

interface Props {
  notes: RollNote[];
  startTick: number;
  endTick: number;
  ticksPerBar: number;
  heat?: Heat | null;
  /** Per-step weights drawn as a strip under the roll (stepTicks each, from startTick). */
  strip?: { weights: number[]; fromTick: number; stepTicks: number } | null;
  onPick?: (n: RollNote | null) => void;
  height?: number;
  label: string;
  testId?: string;
}

const STRIP = 28;

export function Roll({ notes, startTick, endTick, ticksPerBar, heat, strip, onPick, height = 220, label, testId }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [lo, hi] = useMemo(() => {
    const ps = notes.map((n) => n.pitch);
    if (ps.length === 0) return [48, 84];
    return [Math.min(...ps) - 2, Math.max(...ps) + 2];
  }, [notes]);
  const boxes = useRef<{ n: RollNote; x: number; y: number; w: number; h: number }[]>([]);

  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth;
    const H = height + (strip ? STRIP : 0);
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = '#151821';
    g.fillRect(0, 0, W, H);
    const span = Math.max(1, endTick - startTick);
    const xOf = (tick: number) => ((tick - startTick) / span) * W;
    const rows = hi - lo + 1;
    const rowH = height / rows;
    const yOf = (pitch: number) => (hi - pitch) * rowH;
    // C rows slightly lighter, so the eye finds octaves.
    for (let p = lo; p <= hi; p++) {
      if (p % 12 === 0) {
        g.fillStyle = '#1d2130';
        g.fillRect(0, yOf(p), W, rowH);
      }
    }
    if (heat) {
      const cw = (heat.stepTicks / span) * W;
      for (let t = 0; t < heat.steps; t++) {
        const x = xOf(heat.offsetTick + t * heat.stepTicks);
        if (x + cw < 0 || x > W) continue;
        for (let r = 0; r < heat.pitches; r++) {
          const v = heat.data[t * heat.pitches + r]!;
          const pitch = heat.lowPitch + r;
          if (v < 0.02 || pitch < lo || pitch > hi) continue;
          g.fillStyle = `rgba(255, 120, 40, ${Math.min(1, v * 0.9 + 0.05).toFixed(3)})`;
          g.fillRect(x, yOf(pitch), cw + 0.5, rowH);
        }
      }
    }
    g.strokeStyle = '#2c3040';
    g.lineWidth = 1;
    for (let b = Math.ceil(startTick / ticksPerBar) * ticksPerBar; b <= endTick; b += ticksPerBar) {
      g.beginPath();
      g.moveTo(Math.round(xOf(b)) + 0.5, 0);
      g.lineTo(Math.round(xOf(b)) + 0.5, height);
      g.stroke();
    }
    const drawn: typeof boxes.current = [];
    for (const n of notes) {
      const x = xOf(n.start);
      const w = Math.max(2, xOf(n.start + n.duration) - x - 1);
      const y = yOf(n.pitch) + 0.5;
      const h = Math.max(2, rowH - 1);
      g.globalAlpha = n.weight === undefined ? 1 : 0.12 + 0.88 * n.weight;
      if (n.mark === 'removed') {
        g.setLineDash([3, 2]);
        g.strokeStyle = '#ff5252';
        g.lineWidth = 1.5;
        g.strokeRect(x, y, w, h);
        g.setLineDash([]);
      } else {
        g.fillStyle = VOICE_COLORS[n.voice] ?? '#fff';
        g.fillRect(x, y, w, h);
        if (n.mark === 'added' || n.mark === 'selected') {
          g.strokeStyle = n.mark === 'added' ? '#ffee58' : '#ffffff';
          g.lineWidth = 2;
          g.strokeRect(x - 1, y - 1, w + 2, h + 2);
        }
      }
      g.globalAlpha = 1;
      drawn.push({ n, x, y, w, h });
    }
    boxes.current = drawn;
    // Where each note was drawn, for the e2e test that clicks one (read-only, like window.__tutti).
    (c as HTMLCanvasElement & { hitBoxes?: unknown }).hitBoxes = drawn.map((b) => ({ voice: b.n.voice, start: b.n.start, x: b.x + b.w / 2, y: b.y + b.h / 2 }));
    if (strip) {
      const max = Math.max(1e-9, ...strip.weights);
      g.fillStyle = '#10131a';
      g.fillRect(0, height, W, STRIP);
      g.fillStyle = '#ffc914';
      const cw = (strip.stepTicks / span) * W;
      strip.weights.forEach((v, i) => {
        const bh = (v / max) * (STRIP - 4);
        g.fillRect(xOf(strip.fromTick + i * strip.stepTicks), height + STRIP - bh, Math.max(1, cw - 0.5), bh);
      });
    }
  }, [notes, startTick, endTick, ticksPerBar, heat, strip, height, lo, hi]);

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!onPick) return;
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const hit = boxes.current.find((b) => x >= b.x - 2 && x <= b.x + b.w + 2 && y >= b.y - 2 && y <= b.y + b.h + 2);
    onPick(hit?.n ?? null);
  };

  return (
    <canvas
      ref={ref}
      className="how-roll"
      style={{ width: '100%', height: height + (strip ? STRIP : 0), cursor: onPick ? 'pointer' : 'default' }}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-notes={notes.filter((n) => n.mark !== 'removed').length}
      onClick={onClick}
    />
  );
}
