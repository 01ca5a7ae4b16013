// tfjs refuses gradients of dilated conv2d ("dilation rates greater than 1 are not yet supported").
// A conv with dilation d equals an undilated conv with the filter zero-stuffed by d, so its
// gradients are the ordinary ones w.r.t. the stuffed filter, sampled back at the taps. Registered
// for the Conv2D op on every backend; undilated convs take tfjs's usual path unchanged.
import * as tf from '@tensorflow/tfjs';

type Pair = [number, number];
const pair = (v: number | Pair | undefined): Pair => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);

/** [kh,kw,C,O] → [(kh−1)·dh+1, (kw−1)·dw+1, C, O] with zeros between taps. */
export function stuffFilter(f: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, c, o] = f.shape;
    let t: tf.Tensor = f;
    if (dh > 1) t = t.reshape([kh, 1, kw * c * o]).pad([[0, 0], [0, dh - 1], [0, 0]]).reshape([kh * dh, kw, c, o]).slice([0, 0, 0, 0], [(kh - 1) * dh + 1, kw, c, o]);
    const h = t.shape[0]!;
    if (dw > 1) t = t.reshape([h, kw, 1, c * o]).pad([[0, 0], [0, 0], [0, dw - 1], [0, 0]]).reshape([h, kw * dw, c, o]).slice([0, 0, 0, 0], [h, (kw - 1) * dw + 1, c, o]);
    return t as tf.Tensor4D;
  });
}

export const conv2dGradConfig: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { dilations, strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as {
      dilations: number | Pair; strides: number | Pair; pad: 'valid' | 'same'; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const [dh, dw] = pair(dilations);
    const g = dy as tf.Tensor4D;
    const backpropInput = (f: tf.Tensor4D) =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter: f }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    const backpropFilter = (shape: number[]) =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { strides, pad, dataFormat, dimRoundingMode, filterShape: shape } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    if (dh === 1 && dw === 1) return { x: () => backpropInput(filter), filter: () => backpropFilter(filter.shape) };
    const [sh, sw] = pair(strides);
    if (sh !== 1 || sw !== 1) throw new Error('conv2d gradient: strides and dilations cannot both exceed 1');
    return {
      x: () => tf.tidy(() => backpropInput(stuffFilter(filter, dh, dw))),
      filter: () =>
        tf.tidy(() => {
          const [kh, kw] = filter.shape;
          const full = backpropFilter([(kh - 1) * dh + 1, (kw - 1) * dw + 1, filter.shape[2], filter.shape[3]]);
          return tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [dh, dw, 1, 1]) as tf.Tensor4D;
        }),
    };
  },
};
