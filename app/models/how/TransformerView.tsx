'use client';
// The transformer, token by token: the alto, tenor and bass of each 16th step appear in the order
// the live model wrote them. The notes are faded by how much attention the decoder paid to them
// when it wrote the selected note (click one; by default the note being written), from the
// attention weights of the real forward pass, and the strip under the roll shows the weight of
// every earlier step.
import { useEffect, useMemo, useState } from 'react';
import type { ExplainNote, TransformerExplain } from '@/lib/ai/explain';
import { Roll, VOICE_NAMES, type RollNote } from './Roll';

interface Written extends ExplainNote {
  /** First and one-past-last grid step. */
  s0: number;
  s1: number;
  /** Index of the token that started the note. */
  token: number;
}

/** Notes from the tokens written so far: consecutive equal pitches of one voice merge. */
function notesUpTo(data: TransformerExplain, count: number): Written[] {
  const open = new Map<number, Written>();
  const out: Written[] = [];
  const st = data.grid.stepTicks;
  data.tokens.slice(0, count).forEach((tok, i) => {
    const cur = open.get(tok.voice);
    if (cur && cur.pitch === tok.pitch && cur.s1 === tok.step) {
      cur.s1 = tok.step + 1;
      cur.duration += st;
      return;
    }
    open.delete(tok.voice);
    if (tok.pitch === null) return;
    const n: Written = { voice: tok.voice, pitch: tok.pitch, start: data.grid.offsetTick + tok.step * st, duration: st, s0: tok.step, s1: tok.step + 1, token: i };
    open.set(tok.voice, n);
    out.push(n);
  });
  return out;
}

export function TransformerView({ data, ticksPerBar }: { data: TransformerExplain; ticksPerBar: number }) {
  const total = data.tokens.length;
  const [count, setCount] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [picked, setPicked] = useState<{ voice: number; start: number } | null>(null);
  const [layer, setLayer] = useState(-1); // -1 = mean of all layers
  useEffect(() => {
    setCount(0);
    setPicked(null);
    setPlaying(true);
  }, [data]);
  useEffect(() => {
    if (!playing) return;
    // About six seconds for the whole piece, whatever its length.
    const stride = Math.max(3, Math.ceil(total / 60));
    const id = setInterval(() => setCount((c) => Math.min(total, c + stride)), 100);
    return () => clearInterval(id);
  }, [playing, total]);
  useEffect(() => {
    if (count >= total) setPlaying(false);
  }, [count, total]);

  const written = useMemo(() => notesUpTo(data, count), [data, count]);
  const byStep = useMemo(() => new Map(data.attention.map((a, i) => [data.tokens[i * 3]!.step, a])), [data]);
  // The selected note, else the newest one.
  const sel = (picked && written.find((n) => n.voice === picked.voice && n.start === picked.start)) || written[written.length - 1] || null;
  const att = sel ? byStep.get(sel.s0) : undefined;
  const weights = useMemo(() => {
    if (!att) return null;
    const L = att.layers.length;
    const row = layer >= 0 ? att.layers[layer]! : att.layers[0]!.map((_, j) => att.layers.reduce((a, r) => a + r[j]!, 0) / L);
    return row;
  }, [att, layer]);
  // A decoder position p carries the melody around step p and the alto/tenor/bass of step p − 1.
  const weightOf = (n: ExplainNote & { s0?: number; s1?: number }): number => {
    if (!att || !weights) return 1;
    const st = data.grid.stepTicks;
    const a = n.s0 ?? Math.round((n.start - data.grid.offsetTick) / st);
    const b = n.s1 ?? a + Math.round(n.duration / st);
    const shift = n.voice === 0 ? 0 : 1;
    let w = 0;
    for (let s = a + shift; s < b + shift; s++) w += weights[s - att.from] ?? 0;
    return w;
  };
  const notes: RollNote[] = [...data.melody.notes, ...written].map((n) => ({ ...n, weight: 0, mark: sel && n === sel ? ('selected' as const) : undefined }));
  const ws = notes.map((n) => (n.mark === 'selected' ? 0 : weightOf(n as Written)));
  const max = Math.max(1e-9, ...ws);
  notes.forEach((n, i) => {
    n.weight = n.mark === 'selected' ? 1 : weights ? ws[i]! / max : 1;
  });
  const top = sel
    ? notes
        .map((n, i) => ({ n, w: ws[i]! }))
        .filter((x) => x.n.mark !== 'selected' && x.w > 0)
        .sort((a, b) => b.w - a.w)
        .slice(0, 3)
    : [];
  const [from, to] = data.melody.bars;
  const name = (p: number) => `${['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'][p % 12]}${Math.floor(p / 12) - 1}`;
  const tok = data.tokens[Math.max(0, count - 1)];
  return (
    <div data-testid="transformer-view" data-tokens={count} data-total={total}>
      <div className="how-controls">
        <button type="button" onClick={() => (count >= total ? (setCount(0), setPlaying(true)) : setPlaying(!playing))}>
          {playing ? 'Pause' : count >= total ? 'Replay' : 'Play'}
        </button>
        <input type="range" min={0} max={total} value={count} aria-label="tokens written" onChange={(e) => (setPlaying(false), setCount(Number(e.target.value)))} />
        <span>
          {count} of {total} tokens{tok && count > 0 ? ` (last: ${VOICE_NAMES[tok.voice]} at step ${tok.step + 1}, ${tok.pitch === null ? 'rest' : name(tok.pitch)})` : ''}
        </span>
        <label>
          Layer{' '}
          <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
            <option value={-1}>all (mean)</option>
            {data.attention[0]?.layers.map((_, l) => (
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Roll
        notes={notes}
        startTick={from * ticksPerBar}
        endTick={to * ticksPerBar}
        ticksPerBar={ticksPerBar}
        strip={att && weights ? { weights, fromTick: data.grid.offsetTick + att.from * data.grid.stepTicks, stepTicks: data.grid.stepTicks } : null}
        onPick={(n) => {
          setPlaying(false);
          setPicked(n && n.voice > 0 ? { voice: n.voice, start: n.start } : null);
        }}
        label="Transformer: accompaniment written token by token, notes faded by attention"
        testId="transformer-roll"
        height={240}
      />
      <p data-testid="attention-summary" data-selected={sel ? `${sel.voice}:${sel.start}` : ''}>
        {sel
          ? `${VOICE_NAMES[sel.voice]} ${name(sel.pitch)} at step ${sel.s0 + 1}: attended most to ${top.map((x) => `${VOICE_NAMES[x.n.voice]!.split(' ')[0]} ${name(x.n.pitch)} (${(x.w * 100).toFixed(0)} %)`).join(', ') || 'nothing earlier'}.`
          : 'No note written yet.'}
      </p>
      <p className="muted small">
        Click a note to see what the decoder attended to when it wrote it; brighter notes got more attention, and the yellow strip shows the weight of every
        earlier step. {data.attention[0]?.layers.length ?? 0} layers × {data.heads} heads; weights are the mean over heads. {data.ms.toLocaleString('en')} ms on the
        server.
      </p>
    </div>
  );
}
