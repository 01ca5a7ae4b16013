// Messages between the job pool (main thread) and a model worker thread. Plain structured-clone
// data only: the score goes in as a snapshot, the result comes back as plain notes.
import type { GenerateRequest, GenerateResult, ModelName } from '../../models/generator';
import type { Score } from '../../lib/score';
import type { DebugHooks } from './schema';
import type { SteerKnobs } from '../../lib/ai/contract';

export interface RunMessage {
  type: 'run';
  runId: number;
  model: ModelName;
  score: Score;
  request: GenerateRequest;
  /** Steering knobs applied around the model (models/decoding/steer.ts); omitted = none. */
  steer?: SteerKnobs;
  /** The previous candidate's notes, for "like / unlike" (similarity). */
  previous?: { pitch: number; start: number }[] | null;
  /** A registry version's weights directory (server/studio); omitted = the committed weights. */
  weightsDir?: string;
  debug?: DebugHooks;
}
export interface AbortMessage {
  type: 'abort';
  runId: number;
}
export interface PreloadMessage {
  type: 'preload';
  models: readonly ModelName[];
}
export type ToWorker = RunMessage | AbortMessage | PreloadMessage;

/** An error as it crosses the thread boundary (class identity is lost, so keep the code). */
export interface WireError {
  name: string;
  message: string;
  /** 'invalid_params' | 'aborted' | 'generator_error' | ... */
  code: string;
  issues?: string[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'preloaded'; model: ModelName; ok: boolean; ms: number; error?: string }
  | { type: 'progress'; runId: number; fraction: number }
  | { type: 'done'; runId: number; result: GenerateResult; ms: number }
  | { type: 'failed'; runId: number; error: WireError };
