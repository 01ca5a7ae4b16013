// The one interface all three model families (AR-CNN, GAN, transformer) implement, and the only
// thing the accompaniment workers know about models. A generator is a pure async function of a
// plain score and a request: it returns the notes to add and the ids of notes to remove, and never
// touches the shared document itself (the worker applies the result as one transaction).
import type { Instrument, Note, NoteData, NoteId, Score, TrackId } from '../lib/score';

// Model names and tasks live in the AI contract (issue 13), with the knobs.
import type { ModelName, Task } from '../lib/ai/contract';
export { MODEL_NAMES, TASKS } from '../lib/ai/contract';
export type { ModelName, Task };

export interface GenerateRequest {
  task: Task;
  /** The melody / input track(s) the model reads. */
  sourceTrackIds: TrackId[];
  /** Existing tracks the model may write into (rewrite/infill); empty = create new tracks. */
  targetTrackIds?: TrackId[];
  /** Bar range [from, to) the request is about (0-based bars); undefined = the whole score. */
  bars?: [number, number];
  /** Model-specific knobs; validated by the model (unknown keys are an error). */
  params?: Record<string, unknown>;
  /** Seed for every random choice; same seed + same input → same output. */
  seed?: number;
}

/** A track the result asks to create; notes refer to it by `ref` in their trackId. */
export interface NewTrack {
  ref: string;
  name: string;
  instrument: Instrument;
  role: 'melody' | 'accompaniment';
}

export interface GenerateResult {
  newTracks: NewTrack[];
  /** Notes to add; trackId is an existing track id or the `ref` of one of `newTracks`. */
  add: NoteData[];
  /** Existing notes to remove (rewrite/infill). */
  remove: NoteId[];
  /** Free-form figures for logs (iterations run, tokens sampled, ms). */
  stats?: Record<string, number>;
}

export interface GenerateOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface Generator {
  readonly name: ModelName;
  readonly tasks: readonly Task[];
  /** Loads weights; cheap to call twice. */
  initialize(): Promise<void>;
  generate(score: Score, request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;
  dispose(): void;
}

/** Thrown for a request the model cannot serve: unknown task, bad knob values, missing tracks. */
export class GeneratorParamError extends Error {
  readonly code = 'invalid_params';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'GeneratorParamError';
  }
}

export class GenerationAbortedError extends Error {
  readonly code = 'aborted';
  constructor() {
    super('generation was cancelled');
    this.name = 'GenerationAbortedError';
  }
}

export type { Note, Score };
