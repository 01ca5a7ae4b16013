// The AI panel's knobs come from the one contract (lib/ai/contract.ts): labels, ranges, help and
// defaults. This module only says which knobs the panel shows for a choice of model/task (or for
// "compare models", which offers the steering knobs alone: they mean the same for every model).
import { defaultKnobs, knobDefault, knobsFor, steerKnobsFor, type KnobSpec, type KnobValue, type ModelName, type Task } from '@/lib/ai/contract';

/** The knobs the panel shows: one model's task, or (compare) the task's steering knobs. */
export function panelKnobs(model: ModelName | 'compare', task: Task): KnobSpec[] {
  return model === 'compare' ? steerKnobsFor(task) : knobsFor(model, task);
}

/** What the panel starts from (and sends when nobody touches a knob): the contract's defaults. */
export function panelDefaults(model: ModelName | 'compare', task: Task): Record<string, KnobValue> {
  if (model !== 'compare') return defaultKnobs(model, task);
  const out: Record<string, KnobValue> = {};
  for (const k of steerKnobsFor(task)) out[k.key] = knobDefault(k, task);
  return out;
}
