// Coconet's orderless-NADE loss for the AR-CNN: at every masked voice-step, the cross-entropy of a
// softmax over that voice's pitch rows plus the REST row (row 47, padding, is left out), averaged
// over the masked voice-steps of each example, then over the batch. The network's output
// [B, T, 48, 4] is read per (t, v) along the pitch axis.
import { tf } from '../runtime/index';
import { CLASSES, ROLL_PITCHES } from './config';

const NEG = -1e9;

/** Log-softmax over the pitch axis (axis 2) of [B, T, 48, V] logits, padding rows excluded. */
export function voiceLogSoftmax(logits: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const pad = tf.tensor4d(
      Array.from({ length: ROLL_PITCHES }, (_, p) => (p < CLASSES ? 0 : NEG)),
      [1, 1, ROLL_PITCHES, 1],
    );
    const x = tf.add(logits, pad);
    // The shift by the max cancels in the gradient (d lse / d m = 0), so no stop-gradient is needed.
    const m = tf.max(x, 2, true);
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, m)), 2, true)), m);
    return tf.sub(x, lse) as tf.Tensor4D;
  });
}

/**
 * Mean over the batch of the mean CE over masked voice-steps. `target` is [B, T, 48, V], one-hot on
 * the true class at each masked voice-step and zero elsewhere (so its sum counts masked voice-steps).
 */
export function maskedCeLoss(logits: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const logp = voiceLogSoftmax(logits);
    const ce = tf.neg(tf.sum(tf.mul(target, logp), [1, 2, 3]));
    const n = tf.maximum(tf.sum(target, [1, 2, 3]), 1);
    return tf.mean(tf.div(ce, n)) as tf.Scalar;
  });
}
