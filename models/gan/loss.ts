// WGAN-GP objectives (Gulrajani et al. 2017), conditioned on the melody as in MuseGAN's
// accompaniment setting: the critic scores (melody, accompaniment) pairs; the penalty keeps its
// gradient norm near 1 on random interpolates between real and generated accompaniments of the same
// melody. The generator may add a small cross-entropy to the real accompaniment (reconWeight): with
// minutes, not days, of CPU it anchors the harmony early, while the critic term is what shapes the
// rhythm and voice leading (a pure likelihood model's argmax would hold notes too long).
import { tf } from '../runtime/index';
import { NUM_ACCOMP, NUM_CLASSES, type GanConfig } from './config';
import { critic, generate, generateWith, type Params } from './network';

type T3 = tf.Tensor3D;

/**
 * One voice's logits [B,T,47] → a relaxed one-hot draw [B,T,47] (Gumbel-softmax at `temperature`,
 * or a plain tempered softmax without `gumbel`): what the critic sees and the next voice head reads.
 */
export function relaxVoice(logits: T3, temperature: number, gumbel = false): T3 {
  const x = gumbel ? tf.sub(logits, tf.log(tf.neg(tf.log(tf.randomUniform(logits.shape, 1e-6, 1 - 1e-6))))) : logits;
  return tf.softmax(tf.div(x, temperature)) as T3;
}

/** The generator's relaxed accompaniment [B,T,3*47] for a batch: every voice drawn, each head reading the draws before it. */
export function fakeAccompaniment(gp: Params, c: GanConfig, melody: T3, noise: T3): T3 {
  return generateWith(gp, c, melody, noise, (l) => relaxVoice(l, c.relaxTemperature, c.relaxGumbel)).draws;
}

/** Per-sample gradient norm of D w.r.t. the accompaniment, at `x`. */
function gradientNorm(dp: Params, c: GanConfig, melody: T3, x: T3): tf.Tensor1D {
  const g = tf.grad((a: tf.Tensor) => critic(dp, c, melody, a as T3).sum())(x);
  return tf.sqrt(tf.add(tf.sum(tf.square(g), [1, 2]), 1e-8)) as tf.Tensor1D;
}

export interface CriticTerms {
  /** E[D(fake)] − E[D(real)] + λ·GP: what the critic minimises. */
  loss: tf.Scalar;
  /** E[D(real)] − E[D(fake)]: the Wasserstein estimate the training view plots. */
  wasserstein: tf.Scalar;
  gp: tf.Scalar;
}

/** Critic objective; `fake` is a detached relaxed accompaniment, `eps` [B] mixing weights in [0,1). */
export function criticTerms(dp: Params, c: GanConfig, melody: T3, real: T3, fake: T3, eps: tf.Tensor1D): CriticTerms {
  const dReal = tf.mean(critic(dp, c, melody, real));
  const dFake = tf.mean(critic(dp, c, melody, fake));
  const e = eps.reshape([-1, 1, 1]);
  const interp = tf.add(tf.mul(real, e), tf.mul(fake, tf.sub(1, e))) as T3;
  const gp = tf.mean(tf.square(tf.sub(gradientNorm(dp, c, melody, interp), 1))) as tf.Scalar;
  const wasserstein = tf.sub(dReal, dFake) as tf.Scalar;
  return { loss: tf.add(tf.neg(wasserstein), tf.mul(gp, c.gpWeight)) as tf.Scalar, wasserstein, gp };
}

export interface GeneratorTerms {
  /** −E[D(G(m, z))] + reconWeight·CE: what the generator minimises. */
  loss: tf.Scalar;
  adversarial: tf.Scalar;
  crossEntropy: tf.Scalar;
}

/** Generator objective on a batch; `real` is [B,T,3*47] one-hots (the CE's targets and teacher forcing); without the adversarial term during warm-up. */
export function generatorTerms(gp: Params, dp: Params, c: GanConfig, melody: T3, noise: T3, real: T3, adversarialTerm = true): GeneratorTerms {
  // Likelihood with the real voices fed to the later heads (teacher forcing); the critic judges
  // the generator's own draws, each head reading the draws before it.
  const logits = generate(gp, c, melody, noise, real);
  const adversarial = adversarialTerm ? (tf.neg(tf.mean(critic(dp, c, melody, fakeAccompaniment(gp, c, melody, noise)))) as tf.Scalar) : tf.scalar(0);
  const [b, t] = logits.shape;
  const logp = tf.logSoftmax(logits).reshape([b, t, NUM_ACCOMP * NUM_CLASSES]);
  // Mean over steps and voices of −log p(real class).
  const crossEntropy = tf.div(tf.neg(tf.sum(tf.mul(logp, real))), b * t * NUM_ACCOMP) as tf.Scalar;
  const loss = c.reconWeight > 0 ? (tf.add(adversarial, tf.mul(crossEntropy, c.reconWeight)) as tf.Scalar) : adversarial;
  return { loss, adversarial, crossEntropy };
}
