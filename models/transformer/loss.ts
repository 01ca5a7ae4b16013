// The objective: mean negative log-likelihood (nats) of the scored target tokens. Conditioning
// tokens (BOS) and padding carry weight 0, so the figure is per chorale token, as in the paper.
import { tf } from '../runtime/index';
import { VOCAB_SIZE } from './config';

/**
 * logits [N, VOCAB], targets [N] token ids, weights [N] (1 = scored, 0 = not).
 * Returns the weighted mean NLL as a scalar.
 */
export function nllLoss(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const total = tokenNll(logits, targets, weights).sum();
    return tf.div(total, tf.maximum(weights.sum(), 1)) as tf.Scalar;
  });
}

/** Per-token NLL [N] multiplied by its weight. */
export function tokenNll(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, VOCAB_SIZE).toFloat()), -1);
    return tf.mul(tf.neg(picked), weights) as tf.Tensor1D;
  });
}
