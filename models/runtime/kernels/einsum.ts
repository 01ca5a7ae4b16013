// Einsum for wasm (missing there): the cpu backend's contraction plan — transpose each operand into
// the shared index order, broadcast-multiply, sum out contracted indices — run on wasm kernels.
import * as tf from '@tensorflow/tfjs';
import { composer } from './compose';

export function einsum(backendName: string) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }): tf.TensorInfo => {
    const { equation } = args.attrs as { equation: string };
    const tensors = args.inputs as unknown as tf.TensorInfo[];
    const bu = tf.backend_util;
    const { allDims, summedDims, idDims } = bu.decodeEinsumEquation(equation, tensors.length);
    bu.checkEinsumDimSizes(allDims.length, idDims, tensors as unknown as tf.Tensor[]);
    const { path, steps } = bu.getEinsumComputePath(summedDims, idDims);
    const c = composer(args.backend, backendName);
    let out: tf.TensorInfo | null = null;
    let remaining = allDims.length;
    for (let i = 0; i < steps.length; i++) {
      for (const term of steps[i]!) {
        const { permutationIndices: perm, expandDims } = bu.getEinsumPermutation(remaining, idDims[term]!);
        let x: tf.TensorInfo = tensors[term]!;
        if (!bu.isIdentityPermutation(perm)) x = c.run('Transpose', { x }, { perm });
        const target = x.shape.slice();
        for (const d of expandDims) target.splice(d, 0, 1);
        if (!tf.util.arraysEqual(x.shape, target)) x = c.run('Reshape', { x }, { shape: target });
        out = out === null ? x : c.run('Multiply', { a: x, b: out });
      }
      if (i < steps.length - 1) {
        if (path[i]! >= 0) out = c.run('Sum', { x: out! }, { axis: path[i]! - (allDims.length - remaining), keepDims: false });
        remaining--;
      }
    }
    if (out === null) throw new Error(`einsum "${equation}" has no operands`);
    // An input passed straight through must not be handed back as the output (the engine would
    // then free it twice): copy via Identity.
    if ((tensors as tf.TensorInfo[]).includes(out)) out = c.run('Identity', { x: out });
    return c.finish(out);
  };
}

/**
 * tfjs has no Einsum gradient at all. For a two-operand contraction C = einsum('a,b->c', A, B),
 * dA = einsum('c,b->a', dC, B) and dB = einsum('a,c->b', A, dC), valid whenever every index of an
 * operand also appears in the other operand or the output (true of matmul/attention forms).
 */
export const einsumGradConfig: tf.GradConfig = {
  kernelName: 'Einsum',
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const equation = (attrs as { equation: string }).equation.replace(/\s/g, '');
    const [lhs, out] = equation.split('->') as [string, string | undefined];
    const ops = lhs.split(',');
    if (out === undefined || ops.length !== 2) throw new Error(`einsum gradient supports explicit two-operand equations only (got "${equation}")`);
    const [a, b] = ops as [string, string];
    for (const [name, idx, others] of [['first', a, b + out], ['second', b, a + out]] as const) {
      for (const ch of idx) if (!others.includes(ch)) throw new Error(`einsum gradient: index "${ch}" of the ${name} operand of "${equation}" is summed out alone; unsupported`);
      if (new Set(idx).size !== idx.length) throw new Error(`einsum gradient: repeated index in "${idx}" unsupported`);
    }
    const [A, B] = saved as [tf.Tensor, tf.Tensor];
    const g = dy as tf.Tensor;
    return {
      0: () => tf.einsum(`${out},${b}->${a}`, g, B),
      1: () => tf.einsum(`${a},${out}->${b}`, A, g),
    };
  },
};
