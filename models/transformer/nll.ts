// Note-wise negative log-likelihood of whole pieces (nats per scored token), the number the Music
// Transformer paper reports for the JSB Chorales. Pieces are covered by the overlapping windows of
// encoding.evalBatches, so every chorale token is scored exactly once.
import { tf } from '../runtime/index';
import type { TransformerConfig } from './config';
import type { TokenBatch } from './encoding';
import { tokenNll } from './loss';
import { forward, type Params } from './network';

export function datasetNll(params: Params, cfg: TransformerConfig, batches: readonly TokenBatch[]): { nll: number; tokens: number } {
  let total = 0;
  let count = 0;
  for (const b of batches) {
    total += tf.tidy(() => {
      const logits = forward(params, cfg, tf.tensor2d(b.inputs, [b.batch, b.len], 'int32'), tf.tensor2d(b.voices, [b.batch, b.len], 'int32'));
      return tokenNll(logits, tf.tensor1d(b.targets, 'int32'), tf.tensor1d(b.weights, 'float32')).sum().dataSync()[0]!;
    });
    for (const w of b.weights) count += w;
  }
  return { nll: total / Math.max(1, count), tokens: count };
}
