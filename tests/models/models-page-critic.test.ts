// The GAN's weights folder also holds the critic the "how it works" view scores with
// (models/weights/gan/critic/) and config.json, which sorts before generator.json: the models page
// must still count the generator's parameters, not the critic's.
import { describe, expect, it } from 'vitest';
import { loadModel } from '@/app/models/load';

describe('models page with the GAN critic committed', () => {
  it('counts the generator’s parameters, not the critic’s', () => {
    const m = loadModel('gan');
    expect(m.facts.parametersFrom).toBe('generator.json');
  });
});
