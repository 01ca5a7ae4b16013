'use client';
// Loading progress of the piano samples; gone once they are in (the synth piano plays meanwhile).
import { useSyncExternalStore } from 'react';
import { pianoSamples } from '../audio/piano-loader';

export function SampleStatus() {
  const s = useSyncExternalStore(pianoSamples.subscribe, () => pianoSamples.state, () => pianoSamples.state);
  if (!pianoSamples.started) return null;
  if (s.error) return <span className="tt-samples error" data-testid="piano-samples" data-state="error" title={s.error}>Synth piano</span>;
  if (s.ready) return <span className="tt-samples" data-testid="piano-samples" data-state="ready" title="Salamander Grand Piano samples loaded (CC BY 3.0, Alexander Holm)" />;
  return (
    <span className="tt-samples" data-testid="piano-samples" data-state="loading" title="Loading the grand piano samples; the synth piano plays until they are in">
      Piano <progress max={s.total} value={s.loaded} />
    </span>
  );
}
