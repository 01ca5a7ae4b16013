'use client';
// "How it works" (issue 18 item 2): pick a melody (one of three public-domain tunes, or a track of
// a session by its link), then watch each model work on it. Every view is computed by the live
// model on the server when it is opened (POST /api/models/<model>/explain); nothing is pre-drawn.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../editor/csp).
import '../../editor/csp';
import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_ARCNN_ITERATIONS, type ArcnnExplain, type ExplainModel, type ExplainSource, type GanExplain, type TransformerExplain } from '@/lib/ai/explain';
import { BUILTIN_MELODIES, BUILTIN_MELODY_IDS, type BuiltinMelodyId } from '@/lib/melodies/builtin';
import { ticksPerBar } from '@/lib/score/types';
import { explain, parseSessionLink, sessionTracks, type SessionRef, type SessionTracks } from './api';
import { ArcnnView } from './ArcnnView';
import { GanView } from './GanView';
import { TransformerView } from './TransformerView';

const TABS: { model: ExplainModel; label: string; intro: string }[] = [
  {
    model: 'arcnn',
    label: 'AR-CNN',
    intro:
      'The AR-CNN does not write left to right. It starts with the alto, tenor and bass all unknown, asks the network for the likeliest pitches of every unknown note at once, draws them, then repeatedly hides a random share of what it wrote and redraws it, each time seeing everything else. The share it hides and the randomness shrink as it goes, so the early iterations sketch and the late ones polish.',
  },
  {
    model: 'gan',
    label: 'GAN',
    intro:
      'The GAN has two networks trained against each other. The generator turns the melody plus a handful of random numbers (the noise) into alto, tenor and bass; different noise gives different accompaniments. The critic was trained to score real Bach accompaniments higher than the generator’s; the generator learned by trying to raise its score.',
  },
  {
    model: 'transformer',
    label: 'Transformer',
    intro:
      'The transformer reads the whole melody first, then writes the accompaniment one 16th step at a time: alto, then tenor, then bass, each drawn from the probabilities the network gives after looking back at what it has already written. That looking back is attention: for each new step, weights over every earlier step that say how much each one counts.',
  },
];

type Results = { arcnn?: ArcnnExplain; gan?: GanExplain; transformer?: TransformerExplain };

export function HowItWorks() {
  const [kind, setKind] = useState<'builtin' | 'session'>('builtin');
  const [melodyId, setMelodyId] = useState<BuiltinMelodyId>('ode-to-joy');
  const [link, setLink] = useState('');
  const [session, setSession] = useState<(SessionRef & SessionTracks) | null>(null);
  const [trackId, setTrackId] = useState('');
  const [tab, setTab] = useState<ExplainModel>('arcnn');
  const [results, setResults] = useState<Results>({});
  const [busy, setBusy] = useState<ExplainModel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [seed, setSeed] = useState(1);
  const [iterations, setIterations] = useState(DEFAULT_ARCNN_ITERATIONS);
  const abort = useRef<AbortController | null>(null);

  const source: ExplainSource | null = kind === 'builtin' ? { kind: 'builtin', melody: melodyId } : session && trackId ? { kind: 'session', sessionId: session.sessionId, trackId } : null;
  const sourceKey = `${JSON.stringify(source)} ${seed}`;

  const run = useCallback(
    async (model: ExplainModel) => {
      if (!source) return;
      abort.current?.abort();
      const ctrl = new AbortController();
      abort.current = ctrl;
      setBusy(model);
      setError(null);
      try {
        const token = source.kind === 'session' ? (session?.token ?? null) : null;
        const extra = model === 'gan' ? { seeds: [seed, seed + 1, seed + 2] } : model === 'arcnn' ? { seed, iterations } : { seed };
        const r = await explain(model, source, token, extra, ctrl.signal);
        setResults((prev) => ({ ...prev, [model]: r }));
      } catch (e) {
        if (!ctrl.signal.aborted) setError((e as Error).message);
      } finally {
        if (abort.current === ctrl) setBusy(null);
      }
    },
    // sourceKey stands for source and seed.
    [sourceKey, session?.token, iterations],
  );

  // A new melody (or seed) invalidates every view; the open one runs again.
  useEffect(() => {
    setResults({});
  }, [sourceKey]);
  // Another iteration count only changes the AR-CNN's view.
  useEffect(() => {
    setResults(({ arcnn: _, ...rest }) => rest);
  }, [iterations]);
  useEffect(() => {
    if (source && !results[tab] && busy !== tab) void run(tab);
  }, [tab, sourceKey, results]);

  const loadSession = async () => {
    const ref = parseSessionLink(link);
    if (!ref) return setError('That is not a session link (…/s/<id>#token=…) or a session id.');
    setError(null);
    try {
      const s = await sessionTracks(ref);
      setSession({ ...ref, ...s });
      const melody = s.tracks.find((t) => t.role === 'melody' && t.notes > 0) ?? s.tracks.find((t) => t.notes > 0);
      setTrackId(melody?.id ?? '');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const tpb = (r: { melody: { timeSignature: [number, number] } } | undefined) => (r ? ticksPerBar(r.melody.timeSignature as never) : 1920);
  const current = results[tab];
  const info = TABS.find((t) => t.model === tab)!;

  return (
    <div className="how" data-testid="how-it-works">
      <fieldset className="how-source">
        <legend>Melody</legend>
        <label>
          <input type="radio" name="src" checked={kind === 'builtin'} onChange={() => setKind('builtin')} /> A public-domain tune:{' '}
          <select value={melodyId} aria-label="built-in melody" onChange={(e) => (setKind('builtin'), setMelodyId(e.target.value as BuiltinMelodyId))}>
            {BUILTIN_MELODY_IDS.map((id) => (
              <option key={id} value={id}>
                {BUILTIN_MELODIES[id].title}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="radio" name="src" checked={kind === 'session'} onChange={() => setKind('session')} /> A track of a session:{' '}
          <input type="text" placeholder="paste the session link" value={link} aria-label="session link" onChange={(e) => setLink(e.target.value)} onFocus={() => setKind('session')} />
          <button type="button" onClick={loadSession}>
            Load tracks
          </button>
          {session && (
            <select value={trackId} aria-label="track" onChange={(e) => setTrackId(e.target.value)}>
              {session.tracks.map((t) => (
                <option key={t.id} value={t.id} disabled={t.notes === 0}>
                  {t.name} ({t.notes} notes)
                </option>
              ))}
            </select>
          )}
        </label>
        <label>
          Seed <input type="number" min={0} max={100000} value={seed} aria-label="seed" onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
        </label>
        {tab === 'arcnn' && (
          <label>
            AR-CNN iterations{' '}
            <select value={iterations} aria-label="AR-CNN iterations" onChange={(e) => setIterations(Number(e.target.value))}>
              {[8, 24, 48].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'builtin' && <span className="muted small">{BUILTIN_MELODIES[melodyId].credit}</span>}
      </fieldset>

      <div className="how-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.model} type="button" role="tab" aria-selected={tab === t.model} data-testid={`tab-${t.model}`} onClick={() => setTab(t.model)}>
            {t.label}
          </button>
        ))}
      </div>
      <section className="how-panel" role="tabpanel" aria-label={info.label}>
        <p>{info.intro}</p>
        {current?.melody.truncated && <p className="muted">The track is longer than 8 bars: bars {current.melody.bars[0] + 1}–{current.melody.bars[1]} are shown.</p>}
        {error && (
          <p className="how-error" role="alert" data-testid="how-error">
            {error}
          </p>
        )}
        {busy === tab && <p className="muted" data-testid="how-busy">Running the {info.label} on “{current?.melody.title ?? (kind === 'builtin' ? BUILTIN_MELODIES[melodyId].title : 'your track')}”…</p>}
        {!source && <p className="muted">Paste a session link and pick a track, or choose a tune.</p>}
        {tab === 'arcnn' && results.arcnn && <ArcnnView data={results.arcnn} ticksPerBar={tpb(results.arcnn)} />}
        {tab === 'gan' && results.gan && <GanView data={results.gan} ticksPerBar={tpb(results.gan)} />}
        {tab === 'transformer' && results.transformer && <TransformerView data={results.transformer} ticksPerBar={tpb(results.transformer)} />}
      </section>
    </div>
  );
}
