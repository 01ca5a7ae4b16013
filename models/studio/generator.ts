// A generator for a model version: the committed weights (no directory) or a trained version's
// weights directory. Each family's index.ts takes a `weightsDir`; loaded lazily like ../registry.ts.
import type { Generator, ModelName } from '../generator';
import { createGenerator } from '../registry';

export async function createVersionGenerator(family: ModelName, weightsDir?: string | null): Promise<Generator> {
  if (!weightsDir) return createGenerator(family);
  switch (family) {
    case 'arcnn':
      return (await import('../arcnn/index')).createGenerator({ weightsDir });
    case 'gan':
      return (await import('../gan/index')).createGenerator({ weightsDir });
    case 'transformer':
      return (await import('../transformer/index')).createGenerator({ weightsDir });
  }
}
