// The AI panel's knobs (app/editor/ai/panel-knobs.ts, built from lib/ai/contract.ts) and the models' own parameter validation agree:
// every default the panel sends for the GAN and the AR-CNN is accepted by the model, and the
// models' defaults for the knobs both sides know (strict voice leading, temperature) are the same.
import { describe, expect, it } from 'vitest';
import { panelDefaults } from '../../app/editor/ai/panel-knobs';
import { MODEL_TASKS, splitKnobs, type ModelName, type Task } from '../../lib/ai/contract';
import { parseParams } from '../../models/arcnn/params';
import { parseGanParams } from '../../models/gan/index';
import { DECODER_DEFAULTS, parseParams as parseTransformerParams } from '../../models/transformer/params';
import { MELODY_SAMPLING_DEFAULTS } from '../../models/transformer/mel-config';

/** What the panel sends to the model itself (its own knobs; the steering knobs go to the job runner). */
const defaultParams = (model: ModelName, task: Task) => splitKnobs(model, panelDefaults(model, task)).params;

describe('AI panel knobs match the models', () => {
  it('GAN: the panel defaults validate and equal the model defaults', () => {
    for (const task of MODEL_TASKS.gan) {
      const sent = defaultParams('gan', task);
      const parsed = parseGanParams(sent);
      expect(parsed.strictVoiceLeading).toBe(true);
      expect(sent.strictVoiceLeading).toBe(parseGanParams({}).strictVoiceLeading);
    }
  });

  it('AR-CNN: the panel defaults validate and equal the model defaults per task', () => {
    for (const task of MODEL_TASKS.arcnn) {
      const sent = defaultParams('arcnn', task);
      const parsed = parseParams(task as 'harmonize', sent);
      const own = parseParams(task as 'harmonize', {});
      expect(parsed.strictVoiceLeading).toBe(own.strictVoiceLeading);
      expect(parsed.temperature, task).toBe(own.temperature);
      expect(parsed.iterations).toBe(own.iterations);
    }
  });

  it('transformer: the panel defaults are the models\' own per task (harmonize: melody-encoder, continue: decoder)', () => {
    for (const task of MODEL_TASKS.transformer) {
      const defaults = task === 'harmonize' ? MELODY_SAMPLING_DEFAULTS : DECODER_DEFAULTS;
      const sent = parseTransformerParams(defaultParams('transformer', task), defaults);
      const own = parseTransformerParams({}, defaults);
      expect(sent.temperature, task).toBe(own.temperature);
      expect(sent.topP, task).toBe(own.topP);
      expect(sent.strictVoiceLeading, task).toBe(own.strictVoiceLeading);
    }
  });
});
