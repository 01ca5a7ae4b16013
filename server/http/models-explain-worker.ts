// The worker thread behind POST /api/models/<model>/explain (./models-explain.ts): runs one
// model's "how it works" explanation at a time, off the server's event loop, and keeps each
// model's weights loaded between requests. Each model's explain module is imported on first use.
import { parentPort } from 'node:worker_threads';
import type { ExplainResponse } from '../../lib/ai/explain';
import type { ExplainJob, ExplainReply } from './models-explain-protocol';

if (!parentPort) throw new Error('server/http/models-explain-worker.ts must run in a worker thread');
const port = parentPort;

async function run(job: ExplainJob): Promise<ExplainResponse> {
  const { score, trackId, bars, melody } = job;
  switch (job.model) {
    case 'arcnn':
      return (await import('../../models/arcnn/explain')).explainArcnn({ score, trackId, bars, melody, iterations: job.iterations, seed: job.seed });
    case 'gan':
      return (await import('../../models/gan/explain')).explainGan({ score, trackId, bars, melody, seeds: job.seeds });
    case 'transformer':
      return (await import('../../models/transformer/explain')).explainTransformer({ score, trackId, bars, melody, seed: job.seed });
  }
}

port.on('message', (job: ExplainJob) => {
  run(job).then(
    (result) => port.postMessage({ id: job.id, ok: true, result } satisfies ExplainReply),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      // A request the model cannot serve (e.g. a melody with no notes in range) is the caller's error.
      const code = (err as { code?: unknown }).code === 'invalid_params' ? 'invalid_params' : 'model_error';
      port.postMessage({ id: job.id, ok: false, code, error: err.message } satisfies ExplainReply);
    },
  );
});
port.postMessage({ ready: true });
