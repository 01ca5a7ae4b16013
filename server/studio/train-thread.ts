// Entry of a model-studio training thread (started through server/jobs/worker-boot.mjs, which
// registers tsx and lowers this thread's scheduling priority): runs one training
// (models/studio/train-job.ts) and reports its points, checkpoints and outcome to the runner
// (./trainer.ts). Cancelling terminates the thread; the harness's atomic checkpoints survive it.
import { parentPort, workerData } from 'node:worker_threads';
import { runStudioTraining, type StudioTrainSpec } from '../../models/studio/train-job';
import type { FromTrainThread } from './protocol';

if (!parentPort) throw new Error('server/studio/train-thread.ts must run in a worker thread');
const port = parentPort;
const send = (m: FromTrainThread): void => port.postMessage(m);

runStudioTraining((workerData as { spec: StudioTrainSpec }).spec, {
  point: (point) => send({ type: 'point', point }),
  checkpoint: (step) => send({ type: 'checkpoint', step }),
}).then(
  (r) => send({ type: 'done', ...r }),
  (e: unknown) => send({ type: 'failed', error: e instanceof Error ? e.message : String(e) }),
);
