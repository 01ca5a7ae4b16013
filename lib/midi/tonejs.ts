// @tonejs/midi ships CommonJS/UMD only; Node's ESM loader (tsx, the model CLIs) sees just a default
// export while bundlers (Next, vitest) see named ones. This shim gives every caller the same class.
import * as mod from '@tonejs/midi';

type ToneMidi = typeof import('@tonejs/midi');
const ns = mod as unknown as ToneMidi & { default?: ToneMidi };

export const Midi: ToneMidi['Midi'] = ns.Midi ?? ns.default!.Midi;
export type Midi = InstanceType<ToneMidi['Midi']>;
