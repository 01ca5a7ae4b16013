// Both conv2d gradients expressed as forward convolutions, which XNNPACK runs ~10-30x faster on
// wasm than the backend's own Conv2DBackpropInput (and Conv2DBackpropFilter, which wasm lacks).
//
// Forward (NHWC): y[b,i,j,o] = Σ_{p,q,c} x[b, i·s + p·d − pad, …, c] · f[p,q,c,o]
//  • filter gradient: dF[p,q,c,o] = Σ_{b,i,j} x[b, i·s + p·d − pad, …, c] · dy[b,i,j,o] — a forward
//    conv whose "batch" is c, whose channels are b: input = padded x transposed to [C,H,W,B],
//    filter = dy transposed to [OH,OW,B,O], with stride d and dilation s (roles swapped).
//  • input gradient: dx = dy, zero-stuffed by the stride, convolved (stride 1, dilation d) with the
//    spatially flipped filter whose in/out channels are swapped; "full" padding minus the forward pad.
// The same kernels serve tf.conv2dTranspose, whose forward pass is Conv2DBackpropInput.
import * as tf from '@tensorflow/tfjs';
import { composer } from './compose';

type Info = tf.TensorInfo;
type Pair = [number, number];
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvGradAttrs {
  strides: number | Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Additive to tfjs's attrs: the forward conv's dilations (default 1). */
  dilations?: number | Pair;
}

const pair = (v: number | Pair | undefined): Pair => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);

function assertNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`${kernel} (wasm, fast path) supports NHWC only, got ${dataFormat}`);
}

export function conv2dBackpropFilter(backendName: string) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): Info => {
    const { x, dy } = args.inputs as { x: Info; dy: Info };
    const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    assertNhwc('Conv2DBackpropFilter', attrs.dataFormat);
    const [sh, sw] = pair(attrs.strides);
    const [dh, dw] = pair(attrs.dilations);
    const [kh, kw, cin, cout] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, [sh, sw], [dh, dw], attrs.pad, attrs.dimRoundingMode);
    const c = composer(args.backend, backendName);
    const { top, bottom, left, right } = info.padInfo;
    let xp = x;
    if (top || bottom || left || right) {
      xp = c.run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
    }
    const xT = c.run('Transpose', { x: xp }, { perm: [3, 1, 2, 0] }); // [C, Hp, Wp, B]
    const dyT = c.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, B, O]
    let g = c.run('Conv2D', { x: xT, filter: dyT }, { strides: [dh, dw], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw] }); // [C, ≥kh, ≥kw, O]
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = c.run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
    return c.finish(c.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }));
  };
}

/** Inserts (s−1) zeros after every element along H and W, using only 4-D pads and reshapes. */
function zeroStuff(c: ReturnType<typeof composer>, dy: Info, sh: number, sw: number): Info {
  const [b, oh, ow, o] = dy.shape as [number, number, number, number];
  let t = dy;
  if (sh > 1) {
    t = c.run('Reshape', { x: t }, { shape: [b, oh, 1, ow * o] });
    t = c.run('PadV2', { x: t }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0]], constantValue: 0 });
    t = c.run('Reshape', { x: t }, { shape: [b, oh * sh, ow, o] });
  }
  if (sw > 1) {
    const h = oh * sh;
    t = c.run('Reshape', { x: t }, { shape: [b * h, ow, 1, o] });
    t = c.run('PadV2', { x: t }, { paddings: [[0, 0], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    t = c.run('Reshape', { x: t }, { shape: [b, h, ow * sw, o] });
  }
  return t;
}

export function conv2dBackpropInput(backendName: string) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): Info => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    assertNhwc('Conv2DBackpropInput', attrs.dataFormat);
    const [sh, sw] = pair(attrs.strides);
    const [dh, dw] = pair(attrs.dilations);
    const [kh, kw] = filter.shape as [number, number, number, number];
    const [, H, W] = attrs.inputShape;
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], [sh, sw], [dh, dw], attrs.pad, attrs.dimRoundingMode);
    const c = composer(args.backend, backendName);
    let t = zeroStuff(c, dy, sh, sw);
    const [b, Lh, Lw, o] = t.shape as [number, number, number, number];
    // Valid conv output length = L + top + bottom − (k−1)·d must equal H.
    let top = (kh - 1) * dh - info.padInfo.top;
    let bottom = H + (kh - 1) * dh - Lh - top;
    let left = (kw - 1) * dw - info.padInfo.left;
    let right = W + (kw - 1) * dw - Lw - left;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      // Negative padding = rows of dy that map outside x: crop them instead.
      const ct = Math.max(0, -top), cb = Math.max(0, -bottom), cl = Math.max(0, -left), cr = Math.max(0, -right);
      t = c.run('Slice', { x: t }, { begin: [0, ct, cl, 0], size: [b, Lh - ct - cb, Lw - cl - cr, o] });
      top = Math.max(0, top);
      bottom = Math.max(0, bottom);
      left = Math.max(0, left);
      right = Math.max(0, right);
    }
    const flipped = c.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = c.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, O, C]
    const out = c.run('Conv2D', { x: t, filter: swapped }, { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: 'NHWC', dilations: [dh, dw] });
    return c.finish(out);
  };
}
