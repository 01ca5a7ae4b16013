// Messages from a training process (./train-process.ts) to its runner (./trainer.ts).
import type { ProgressPoint } from '../../lib/ai/studio';

export type FromTrainThread =
  | { type: 'point'; point: ProgressPoint }
  | { type: 'checkpoint'; step: number }
  | { type: 'done'; metrics: Record<string, number>; card: string; weightsBytes: number; completedSteps: number }
  | { type: 'failed'; error: string };
