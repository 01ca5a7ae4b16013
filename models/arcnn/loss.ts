// DeepComposer's AR-CNN loss: the KL divergence from the uniform distribution over the cells that
// should be toggled (the target) to the network's softmax over every cell it may toggle (the mask).
// KL(U_D || p) = -(1/|D|) Σ_{c∈D} log p_c - log|D|, so 0 means the net puts all its mass exactly,
// and evenly, on the cells that differ from Bach. Cells outside the mask get -1e9 and no mass.
import { tf } from '../runtime/index';

const NEG = -1e9;

/** Masked log-softmax over all cells of each example: [B, ...] → [B, N]. */
export function maskedLogSoftmax(logits: tf.Tensor, mask: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const b = logits.shape[0]!;
    const flat = tf.reshape(logits, [b, -1]);
    const m = tf.reshape(mask, [b, -1]);
    const masked = tf.add(flat, tf.mul(tf.sub(1, m), NEG));
    return tf.logSoftmax(masked) as tf.Tensor2D;
  });
}

/** Mean over the batch of KL(uniform over target cells ‖ softmax over mask cells). */
export function toggleKlLoss(logits: tf.Tensor, target: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const b = logits.shape[0]!;
    const logp = maskedLogSoftmax(logits, mask);
    const t = tf.reshape(target, [b, -1]);
    const n = tf.maximum(tf.sum(t, 1), 1);
    const ce = tf.div(tf.neg(tf.sum(tf.mul(t, logp), 1)), n);
    return tf.mean(tf.sub(ce, tf.log(n))) as tf.Scalar;
  });
}
