// Which trained weights a model runs with, as a short stable label ("gan-3f2a9c1e"): a content hash
// of its committed weights file, so the job list and every suggestion say exactly what made them
// (issue 13 provenance). Hashed once per file change (mtime + size), a few ms for a few MB.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelName } from '../../lib/ai/contract';

const WEIGHTS = fileURLToPath(new URL('../../models/weights/', import.meta.url));
const FILES: Record<ModelName, string> = { gan: 'gan/generator.bin', arcnn: 'arcnn/arcnn.bin', transformer: 'transformer/weights.bin' };
const cache = new Map<ModelName, { stamp: string; version: string }>();

export function modelVersion(model: ModelName, weightsDir = WEIGHTS): string {
  const file = path.join(weightsDir, FILES[model]);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return `${model}-unknown`;
  }
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const hit = cache.get(model);
  if (hit?.stamp === stamp) return hit.version;
  const version = `${model}-${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 8)}`;
  cache.set(model, { stamp, version });
  return version;
}
