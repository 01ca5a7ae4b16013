// A listener on the shared training loop (./harness.ts), for a caller that runs a model's own
// trainer (`models/<name>/train.ts` main) and wants its progress as data rather than as a
// terminal bar: the model studio's training thread (models/studio) persists each step and
// validation as a point of the live curve. One listener per thread: a training thread runs one
// training, and a thread's module state is its own.
export interface TrainingObserver {
  /** After every optimisation step (cheap: the listener throttles). `stepsPerSec` is the harness's smoothed rate. */
  step?(e: { step: number; total: number; loss: number; stepsPerSec: number; extra: Record<string, number> }): void;
  /** After a validation pass on held-out data. */
  validation?(e: { step: number; metrics: Record<string, number> }): void;
  /** After a checkpoint a resume can continue from has been written. */
  checkpoint?(e: { step: number }): void;
}

let current: TrainingObserver | null = null;

/** Installs (or with null removes) this thread's listener. */
export function setTrainingObserver(o: TrainingObserver | null): void {
  current = o;
}

export function trainingObserver(): TrainingObserver | null {
  return current;
}
