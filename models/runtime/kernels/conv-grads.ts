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

type C = ReturnType<typeof composer>;

/** A stride-1 valid conv after padding x by the given amounts; negative amounts crop instead. */
function convPadded(c: C, x: Info, f: Info, top: number, bottom: number, left: number, right: number): Info {
  const [b, h, w, ch] = x.shape as [number, number, number, number];
  let t = x;
  const ct = Math.max(0, -top), cb = Math.max(0, -bottom), cl = Math.max(0, -left), cr = Math.max(0, -right);
  if (ct || cb || cl || cr) t = c.run('Slice', { x: t }, { begin: [0, ct, cl, 0], size: [b, h - ct - cb, w - cl - cr, ch] });
  const pad = [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]];
  return c.run('Conv2D', { x: t, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
}

/**
 * Along one axis, output rows h ≡ r (mod s) of the input gradient only see filter taps
 * p ≡ (r + pad) (mod s): dx[q·s + r] = Σ_j dy[q + base − j] · f[e + j·s]. That is a stride-1 conv
 * of dy with the flipped sub-filter, shifted by `base − J + 1` (→ top padding).
 */
function phase(r: number, s: number, k: number, pad: number, outLen: number, q: number) {
  const e = (r + pad) % s;
  const base = Math.floor((r + pad) / s);
  const J = e < k ? Math.ceil((k - e) / s) : 0;
  const top = J - 1 - base;
  return { e, J, top, bottom: q + J - 1 - outLen - top };
}

/**
 * Strided input gradient (and transposed-conv forward) as s_h·s_w small stride-1 convs, one per
 * output phase, interleaved back: s² times less work than convolving a zero-stuffed dy.
 */
function phasedBackpropInput(c: C, dy: Info, filter: Info, [sh, sw]: Pair, [padT, padL]: Pair, [H, W]: Pair): Info {
  const [b, oh, ow] = dy.shape as [number, number, number, number];
  const [kh, kw, cin] = filter.shape as [number, number, number, number];
  const qh = Math.ceil(H / sh), qw = Math.ceil(W / sw);
  const rows: Info[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const ph = phase(rh, sh, kh, padT, oh, qh);
    const cols: Info[] = [];
    for (let rw = 0; rw < sw; rw++) {
      const pw = phase(rw, sw, kw, padL, ow, qw);
      if (ph.J === 0 || pw.J === 0) {
        cols.push(c.run('Fill', {}, { shape: [b, qh, qw, cin], value: 0, dtype: 'float32' }));
        continue;
      }
      const sub = c.run('StridedSlice', { x: filter }, { begin: [ph.e, pw.e, 0, 0], end: filter.shape, strides: [sh, sw, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 });
      const g = c.run('Transpose', { x: c.run('Reverse', { x: sub }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] });
      cols.push(convPadded(c, dy, g, ph.top, ph.bottom, pw.top, pw.bottom));
    }
    // [B,qh,qw,C] × sw → [B,qh,qw,sw·C] → [B,qh,qw·sw,C]: column t·sw + rw, as wanted.
    rows.push(sw === 1 ? cols[0]! : c.run('Reshape', { x: c.run('Concat', cols as unknown as Record<string, Info>, { axis: 3 }) }, { shape: [b, qh, qw * sw, cin] }));
  }
  const full = sh === 1 ? rows[0]! : c.run('Reshape', { x: c.run('Concat', rows as unknown as Record<string, Info>, { axis: 2 }) }, { shape: [b, qh * sh, qw * sw, cin] });
  return qh * sh === H && qw * sw === W ? full : c.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [b, H, W, cin] });
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
    if ((sh > 1 || sw > 1) && dh === 1 && dw === 1) return c.finish(phasedBackpropInput(c, dy, filter, [sh, sw], [info.padInfo.top, info.padInfo.left], [H, W]));
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
