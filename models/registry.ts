// Where each model family lives. Loaded lazily so a worker that serves one model never pays for
// the others' imports. Each `models/<name>/index.ts` exports `createGenerator()`.
import type { Generator, ModelName } from './generator';

export async function createGenerator(name: ModelName): Promise<Generator> {
  switch (name) {
    case 'arcnn':
      return (await import('./arcnn/index')).createGenerator();
    case 'gan':
      return (await import('./gan/index')).createGenerator();
    case 'transformer':
      return (await import('./transformer/index')).createGenerator();
  }
}
