'use client';
// The AR-CNN, step by step: each frame is one sampling iteration of the live model on the chosen
// melody, with the network's probability map under the notes (brighter = likelier) and the notes
// that iteration added (yellow outline) and removed (red dashes).
import { useEffect, useMemo, useState } from 'react';
import { decodeHeat, type ArcnnExplain, type ExplainNote } from '@/lib/ai/explain';
import { Roll, type RollNote } from './Roll';

const key = (n: ExplainNote) => `${n.voice},${n.pitch},${n.start},${n.duration}`;

export function ArcnnView({ data, ticksPerBar }: { data: ArcnnExplain; ticksPerBar: number }) {
  const n = data.iterations.length;
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(true);
  // The accompaniment after each iteration: the previous one, minus what it removed, plus what it added.
  const states = useMemo(() => {
    const out: ExplainNote[][] = [];
    let cur = new Map<string, ExplainNote>();
    for (const it of data.iterations) {
      cur = new Map(cur);
      for (const r of it.removed) cur.delete(key(r));
      for (const a of it.added) cur.set(key(a), a);
      out.push([...cur.values()]);
    }
    return out;
  }, [data]);
  useEffect(() => setFrame(0), [data]);
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => setFrame((f) => (f + 1 < n ? f + 1 : f)), 450);
    return () => clearInterval(id);
  }, [playing, n]);
  useEffect(() => {
    if (frame === n - 1) setPlaying(false);
  }, [frame, n]);
  const it = data.iterations[frame]!;
  const heat = useMemo(() => ({ ...data.grid, data: decodeHeat(it.heat) }), [it, data.grid]);
  const added = new Set(it.added.map(key));
  const notes: RollNote[] = [
    ...data.melody.notes,
    ...(states[frame] ?? []).map((x) => (added.has(key(x)) ? { ...x, mark: 'added' as const } : x)),
    ...it.removed.map((x) => ({ ...x, mark: 'removed' as const })),
  ];
  const [from, to] = data.melody.bars;
  return (
    <div data-testid="arcnn-view" data-iteration={frame} data-iterations={n}>
      <div className="how-controls">
        <button type="button" onClick={() => (frame === n - 1 ? (setFrame(0), setPlaying(true)) : setPlaying(!playing))}>
          {playing ? 'Pause' : frame === n - 1 ? 'Replay' : 'Play'}
        </button>
        <button type="button" aria-label="previous iteration" disabled={frame === 0} onClick={() => (setPlaying(false), setFrame(frame - 1))}>
          ‹
        </button>
        <input type="range" min={0} max={n - 1} value={frame} aria-label="iteration" onChange={(e) => (setPlaying(false), setFrame(Number(e.target.value)))} />
        <button type="button" aria-label="next iteration" disabled={frame === n - 1} onClick={() => (setPlaying(false), setFrame(frame + 1))}>
          ›
        </button>
        <span data-testid="arcnn-step">
          Iteration {frame + 1} of {n}: {it.masked} voice-steps masked and redrawn at temperature {it.temperature.toFixed(2)}; {it.added.length} notes added,{' '}
          {it.removed.length} removed
        </span>
      </div>
      <Roll
        notes={notes}
        startTick={from * ticksPerBar}
        endTick={to * ticksPerBar}
        ticksPerBar={ticksPerBar}
        heat={heat}
        label={`AR-CNN iteration ${frame + 1}: piano roll with the network's probabilities`}
        testId="arcnn-roll"
        height={260}
      />
      <p className="muted small">
        Orange: the probability the network gives each pitch at each step, for the voices it is redrawing this iteration (its own distribution; the
        draw sharpens it to the temperature shown). Yellow outline: a note this
        iteration added; red dashes: one it removed. {data.ms.toLocaleString('en')} ms on the server for {n} iterations.
      </p>
    </div>
  );
}
