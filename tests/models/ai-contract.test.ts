// The AI contract (lib/ai/contract.ts) is the one source of the panel's knobs, the server's request
// validation and the models' defaults (issue 13): its defaults validate in each model's own params
// parser and equal what the model uses unasked; its task lists are the models'; its schemas refuse
// what the models would refuse; a request expands into the right jobs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultKnobs,
  knobsFor,
  knobsSchema,
  MODEL_KNOBS,
  MODEL_NAMES,
  MODEL_TASKS,
  modelDefaults,
  parseAiRequest,
  splitKnobs,
  STEER_KNOBS,
} from '../../lib/ai/contract';
import { ARCNN_TASKS, parseParams as parseArcnn } from '../../models/arcnn/params';
import { GAN_TASKS, parseGanParams } from '../../models/gan/index';
import { DECODER_DEFAULTS, parseParams as parseTransformer, TRANSFORMER_TASKS } from '../../models/transformer/params';
import { MELODY_SAMPLING_DEFAULTS } from '../../models/transformer/mel-config';

const ganConfig = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../models/weights/gan/config.json'), 'utf8')).config as {
  decodeTemperature: number;
};

describe('AI contract', () => {
  it('lists the tasks each model implements', () => {
    expect([...MODEL_TASKS.gan].sort()).toEqual([...GAN_TASKS].sort());
    expect([...MODEL_TASKS.arcnn].sort()).toEqual([...ARCNN_TASKS].sort());
    expect([...MODEL_TASKS.transformer].sort()).toEqual([...TRANSFORMER_TASKS].sort());
  });

  it('panel defaults (defaultKnobs) are the models’ own defaults, task by task', () => {
    for (const task of MODEL_TASKS.gan) {
      const sent = parseGanParams(modelDefaults('gan', task));
      const own = parseGanParams({});
      expect(sent.strictVoiceLeading).toBe(own.strictVoiceLeading);
      expect(sent.instrumentation).toBe(own.instrumentation);
      // The GAN's own temperature is its calibrated decoder setting.
      expect(sent.temperature, task).toBe(ganConfig.decodeTemperature);
    }
    for (const task of ARCNN_TASKS) {
      const sent = parseArcnn(task, modelDefaults('arcnn', task));
      expect(sent, task).toEqual(parseArcnn(task, {}));
    }
    for (const task of TRANSFORMER_TASKS) {
      const defaults = task === 'harmonize' ? MELODY_SAMPLING_DEFAULTS : DECODER_DEFAULTS;
      const sent = parseTransformer(modelDefaults('transformer', task), defaults);
      const own = parseTransformer({}, defaults);
      expect({ ...sent, bars: null }, task).toEqual(own);
    }
    // Values measured on valid (model cards): the transformer's harmoniser T 0.7 / top-p 1, continue T 1 / top-p 1.
    expect(MELODY_SAMPLING_DEFAULTS).toEqual({ temperature: 0.7, topP: 1 });
    expect(DECODER_DEFAULTS).toEqual({ temperature: 1, topP: 1 });
  });

  it('every knob has a label, one-line help and a default inside its range for each task it serves', () => {
    for (const model of MODEL_NAMES)
      for (const task of MODEL_TASKS[model]) {
        const d = defaultKnobs(model, task);
        expect(knobsSchema(model, task).parse({})).toEqual(d);
        for (const k of knobsFor(model, task)) {
          expect(k.label.length).toBeGreaterThan(0);
          expect(k.help).not.toMatch(/\n/);
          expect(knobsSchema(model, task).safeParse({ [k.key]: d[k.key] }).success).toBe(true);
        }
      }
    expect(STEER_KNOBS.map((k) => k.key)).toEqual(['rhythm', 'density', 'voiceRanges', 'similarity']);
  });

  it('knob schemas refuse out-of-range values, wrong kinds, unknown keys and knobs of another task', () => {
    const s = knobsSchema('gan', 'harmonize');
    expect(s.safeParse({ temperature: 2.5 }).success).toBe(false);
    expect(s.safeParse({ temperature: 'hot' }).success).toBe(false);
    expect(s.safeParse({ topP: 0.9 }).success).toBe(false);
    expect(s.safeParse({ density: 1.5 }).success).toBe(false);
    expect(s.safeParse({ rhythm: 'swing' }).success).toBe(false);
    expect(knobsSchema('arcnn', 'rewrite').safeParse({ iterations: 2.5 }).success).toBe(false);
    expect(knobsSchema('transformer', 'harmonize').safeParse({ bars: 4 }).success).toBe(false);
    expect(knobsSchema('transformer', 'continue').safeParse({ bars: 4 }).success).toBe(true);
    // Every model knob range is inside what the model itself accepts.
    for (const model of MODEL_NAMES)
      for (const k of MODEL_KNOBS[model])
        for (const task of MODEL_TASKS[model].filter((t) => !k.tasks || k.tasks.includes(t))) {
          const edge = k.kind === 'number' || k.kind === 'integer' ? [k.min!, k.max!] : k.kind === 'enum' ? k.options!.map((o) => o.value) : [true, false];
          for (const v of edge) {
            const params = { [k.key]: v };
            const parse = () =>
              model === 'gan' ? parseGanParams(params) : model === 'arcnn' ? parseArcnn(task as 'rewrite', params) : parseTransformer(params);
            expect(parse, `${model}.${k.key}=${String(v)}`).not.toThrow();
          }
        }
  });

  it('a request expands into its candidates: seeds seed, seed+1, … or one job per model with compare', () => {
    const one = parseAiRequest({ model: 'arcnn', task: 'harmonize', sourceTrackId: 'mel', candidates: 3, seed: 7, knobs: { temperature: 0.5, density: -0.5 } });
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    expect(one.value.jobs.map((j) => [j.model, j.seed, j.index])).toEqual([
      ['arcnn', 7, 0],
      ['arcnn', 8, 1],
      ['arcnn', 9, 2],
    ]);
    expect(one.value.jobs[0]!.knobs).toEqual({ ...defaultKnobs('arcnn', 'harmonize'), temperature: 0.5, density: -0.5 });
    expect(splitKnobs('arcnn', one.value.jobs[0]!.knobs).steer.density).toBe(-0.5);
    expect(splitKnobs('arcnn', one.value.jobs[0]!.knobs).params).toEqual({ ...modelDefaults('arcnn', 'harmonize'), temperature: 0.5 });

    const cmp = parseAiRequest({ compare: true, task: 'harmonize', sourceTrackId: 'mel', seed: 1, knobs: { rhythm: 'chordal' } });
    expect(cmp.ok && cmp.value.jobs.map((j) => j.model)).toEqual(['gan', 'arcnn', 'transformer']);
    if (cmp.ok) for (const j of cmp.value.jobs) expect(j.knobs).toEqual({ ...defaultKnobs(j.model, 'harmonize'), rhythm: 'chordal' });
  });

  it('refuses a bad request with every issue named', () => {
    const bad = (body: unknown) => {
      const r = parseAiRequest(body);
      expect(r.ok).toBe(false);
      return r.ok ? [] : r.issues;
    };
    expect(bad({ model: 'gan', task: 'harmonize', sourceTrackId: 'mel', knobs: { temperature: 9 } })).toEqual([
      'knobs.temperature: temperature must be at most 2',
    ]);
    expect(bad({ model: 'gan', task: 'rewrite', sourceTrackId: 'mel' }).join()).toMatch(/does not offer rewrite/);
    expect(bad({ task: 'harmonize', sourceTrackId: 'mel' }).join()).toMatch(/model/);
    expect(bad({ model: 'gan', compare: true, task: 'harmonize', sourceTrackId: 'mel' }).join()).toMatch(/not both/);
    expect(bad({ model: 'gan', task: 'harmonize', sourceTrackId: 'mel', candidates: 5 }).join()).toMatch(/candidates/);
    expect(bad({ compare: true, task: 'harmonize', sourceTrackId: 'mel', knobs: { temperature: 1 } }).join()).toMatch(/knobs/);
    expect(bad({ compare: true, task: 'continue', sourceTrackId: 'mel' }).join()).toMatch(/nothing to compare/);
    expect(bad({ model: 'gan', task: 'harmonize', sourceTrackId: 'mel', extra: 1 }).join()).toMatch(/extra/);
  });
});
