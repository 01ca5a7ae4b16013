// Entry of a model-studio training process (started by ./trainer.ts with `node --import tsx` at a
// lowered scheduling priority): receives one training's spec over IPC, runs it
// (models/studio/train-job.ts) and reports its points, checkpoints and outcome back. A process
// rather than a thread of the server: a thread in the process that hosts the embedded database
// (PGlite, itself WebAssembly) trained ~30 % slower than the CLI on the same settings
// (bench:studio), a child process as fast. Cancelling kills it; the harness's atomic
// checkpoints survive that.
import { runStudioTraining, type StudioTrainSpec } from '../../models/studio/train-job';
import type { FromTrainThread } from './protocol';

const send = (m: FromTrainThread): Promise<void> => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));

process.once('message', (m: { type: 'start'; spec: StudioTrainSpec }) => {
  void runStudioTraining(m.spec, {
    point: (point) => void send({ type: 'point', point }),
    checkpoint: (step) => void send({ type: 'checkpoint', step }),
  })
    .then(
      (r) => send({ type: 'done', ...r }),
      (e: unknown) => send({ type: 'failed', error: e instanceof Error ? e.message : String(e) }),
    )
    .then(() => process.exit(0));
});
// The runner going away (the server was killed) ends the training too: no orphan keeps the cores.
process.once('disconnect', () => process.exit(0));
