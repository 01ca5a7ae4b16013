// The AR-CNN network: a small U-Net over the piano roll, after DeepComposer's AR-CNN. Input planes
// [time, pitch, 9] (four voice rolls, four editable masks, a pitch-height ramp); output one
// "toggle here" logit per cell and voice [time, pitch, 4]. Three resolutions (1, 1/2, 1/4) with
// 2×2 max-pooling down and nearest-neighbour upsampling + additive skips up; the decoder is kept
// to one conv per level because sampling runs the net once per iteration (≤ 10 ms budget).
// At the bottleneck a whole-register branch (a conv spanning all 12 pitch rows, added back to every
// row) gives each voice a view of the others across the full range: without it the receptive
// field spans about ±20 semitones and the bass cannot see the soprano (see config.ts).
// Pooling and upsampling are written as reshapes so every gradient is a basic op the wasm
// backend has.
import { tf } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { ROLL_PITCHES, VOICES, inChannels, type NetConfig } from './config';

export interface ArcnnNet {
  config: NetConfig;
  /** Weights in a fixed order (the order of `layerShapes`), the one source of truth for save/load. */
  vars: Map<string, tf.Variable>;
}

/** Every weight tensor's name and shape, in storage order. */
export function layerShapes(cfg: NetConfig): [string, number[]][] {
  const [a, b, c] = cfg.widths;
  const conv = (name: string, k: number, cin: number, cout: number): [string, number[]][] => [
    [`${name}.w`, [k, k, cin, cout]],
    [`${name}.b`, [cout]],
  ];
  return [
    ...conv('enc1a', 3, inChannels(cfg), a),
    ...conv('enc1b', 3, a, a),
    ...conv('enc2a', 3, a, b),
    ...conv('enc2b', 3, b, b),
    ...conv('mid_a', 3, b, c),
    ...conv('mid_b', 3, c, c),
    ...(cfg.globalPitch > 0
      ? ([
          [`glob_a.w`, [3, ROLL_PITCHES / 4, c, cfg.globalPitch]],
          [`glob_a.b`, [cfg.globalPitch]],
          [`glob_b.w`, [1, 1, cfg.globalPitch, c]],
          [`glob_b.b`, [c]],
        ] as [string, number[]][])
      : []),
    ...conv('mid_c', 3, c, c),
    ...conv('up2', 1, c, b),
    ...conv('dec2', 3, b, b),
    ...conv('up1', 1, b, a),
    ...conv('dec1', 3, a, a),
    ...conv('out', 1, a, VOICES),
  ];
}

export function parameterCount(cfg: NetConfig): number {
  return layerShapes(cfg).reduce((s, [, shape]) => s + shape.reduce((p, d) => p * d, 1), 0);
}

/** He-normal weights from a seeded stream (so an untrained net is reproducible too), zero biases. */
export function createNet(cfg: NetConfig, seed: number): ArcnnNet {
  const rng = createRng(seed);
  const vars = new Map<string, tf.Variable>();
  for (const [name, shape] of layerShapes(cfg)) {
    const size = shape.reduce((p, d) => p * d, 1);
    const values = new Float32Array(size);
    if (name.endsWith('.w')) {
      const fanIn = shape[0]! * shape[1]! * shape[2]!;
      // The output layer starts small so the initial toggle distribution is near uniform; the
      // whole-register branch ends in zeros so adding it to a trained net starts as identity.
      const std = name.startsWith('out') ? 0.01 : name.startsWith('glob_b') ? 0 : Math.sqrt(2 / fanIn);
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    // Unnamed: tfjs variable names are process-global and two nets (trained + untrained) coexist.
    vars.set(name, tf.variable(tf.tensor(values, shape), true));
  }
  return { config: cfg, vars };
}

export function disposeNet(net: ArcnnNet): void {
  for (const v of net.vars.values()) v.dispose();
  net.vars.clear();
}

function conv(net: ArcnnNet, x: tf.Tensor4D, name: string, relu = true): tf.Tensor4D {
  const w = net.vars.get(`${name}.w`) as tf.Tensor4D;
  const b = net.vars.get(`${name}.b`)!;
  const y = tf.add(tf.conv2d(x, w, 1, 'same'), b) as tf.Tensor4D;
  return relu ? tf.relu(y) : y;
}

/** 2×2 max-pool as reshape + max: differentiable with ops every backend has. */
function pool(x: tf.Tensor4D): tf.Tensor4D {
  const [n, t, p, c] = x.shape;
  return tf.max(tf.reshape(x, [n, t / 2, 2, p / 2, 2, c]), [2, 4]) as tf.Tensor4D;
}

/** 2× nearest-neighbour upsampling as a broadcast: gradient is a plain sum. */
function upsample(x: tf.Tensor4D): tf.Tensor4D {
  const [n, t, p, c] = x.shape;
  const y = tf.mul(tf.reshape(x, [n * t, 1, p, 1, c]), tf.ones([1, 2, 1, 2, 1]));
  return tf.reshape(y, [n, 2 * t, 2 * p, c]);
}

/** Toggle logits [batch, time, pitch, voice] for input planes [batch, time, pitch, inChannels(config)]. */
export function forward(net: ArcnnNet, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const e1 = conv(net, conv(net, x, 'enc1a'), 'enc1b');
    const e2 = conv(net, conv(net, pool(e1), 'enc2a'), 'enc2b');
    let m = conv(net, conv(net, pool(e2), 'mid_a'), 'mid_b');
    if (net.config.globalPitch > 0) {
      // One feature vector per (1/4-res) time step from all pitch rows, added back to every row.
      const padded = tf.pad(m, [
        [0, 0],
        [1, 1],
        [0, 0],
        [0, 0],
      ]) as tf.Tensor4D;
      const g = tf.relu(tf.add(tf.conv2d(padded, net.vars.get('glob_a.w') as tf.Tensor4D, 1, 'valid'), net.vars.get('glob_a.b')!)) as tf.Tensor4D;
      m = tf.add(m, conv(net, g, 'glob_b', false)) as tf.Tensor4D;
    }
    m = conv(net, m, 'mid_c');
    const d2 = conv(net, tf.add(upsample(conv(net, m, 'up2')), e2) as tf.Tensor4D, 'dec2');
    const d1 = conv(net, tf.add(upsample(conv(net, d2, 'up1')), e1) as tf.Tensor4D, 'dec1');
    return conv(net, d1, 'out', false);
  });
}
