// Messages between the explain route (main thread) and its worker thread. Structured-clone data only.
import type { ExplainMelody, ExplainModel, ExplainResponse } from '../../lib/ai/explain';
import type { Score, TrackId } from '../../lib/score';

export interface ExplainJob {
  id: number;
  model: ExplainModel;
  score: Score;
  trackId: TrackId;
  bars: [number, number];
  melody: ExplainMelody;
  seed: number;
  iterations: number;
  seeds: number[];
}

export type ExplainReply = { id: number; ok: true; result: ExplainResponse } | { id: number; ok: false; code: 'invalid_params' | 'model_error'; error: string };
