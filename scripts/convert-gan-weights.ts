// One-off conversion (issue 14 item 4) of GAN weights from the retired `tutti-gan-1` manifest to
// the one weight format (models/runtime/io.ts saveWeights): `<prefix>.json` becomes a
// `tutti-tensors` manifest, its config and provenance move to the directory's config.json, and
// the float32 blob is left byte for byte as it is — the old format already stored the tensors
// contiguously in name order, which is the new blob's layout for the same specs, so the
// weights' content hash (server/jobs/model-version.ts) does not change. A critic saved next to
// a generator moves to its own directory `critic/`, since config.json describes one network.
//   tsx scripts/convert-gan-weights.ts [models/weights/gan]
// Run on a directory already converted it changes nothing.
import fs from 'node:fs';
import path from 'node:path';

interface OldManifest {
  format: 'tutti-gan-1';
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  tensors: Array<{ name: string; shape: number[]; offset: number; size: number }>;
  file: string;
}

function write(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

/** Converts `<dir>/<prefix>.json` in place (writing `<dir>/config.json`); false if already converted. */
function convert(dir: string, prefix: string): boolean {
  const file = path.join(dir, `${prefix}.json`);
  const old = JSON.parse(fs.readFileSync(file, 'utf8')) as OldManifest | { format: string };
  if (old.format !== 'tutti-gan-1') return false;
  const m = old as OldManifest;
  if (m.file !== `${prefix}.bin`) throw new Error(`${file}: blob ${m.file}, expected ${prefix}.bin`);
  const bytes = fs.statSync(path.join(dir, m.file)).size;
  // The new format reads the tensors one after another in spec order: check the old layout is exactly that.
  let offset = 0;
  m.tensors.forEach((t, i) => {
    if (t.offset !== offset) throw new Error(`${file}: ${t.name} at ${t.offset}, expected ${offset} (not contiguous)`);
    if (t.size !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`${file}: ${t.name} size ≠ shape`);
    if (i > 0 && !(m.tensors[i - 1]!.name < t.name)) throw new Error(`${file}: tensors not in name order`);
    offset += t.size;
  });
  if (offset * 4 !== bytes) throw new Error(`${file}: blob has ${bytes} bytes, tensors ${offset * 4}`);
  const specs = m.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' }));
  write(path.join(dir, 'config.json'), `${JSON.stringify({ config: m.config, meta: m.meta }, null, 1)}\n`);
  write(file, JSON.stringify({ format: 'tutti-tensors', version: 1, specs }, null, 1));
  console.log(`converted ${file}: ${specs.length} tensors, ${bytes} bytes unchanged`);
  return true;
}

const root = path.resolve(process.argv[2] ?? 'models/weights/gan');
convert(root, 'generator');
if (fs.existsSync(path.join(root, 'pretrained', 'generator.json'))) convert(path.join(root, 'pretrained'), 'generator');
const criticDir = path.join(root, 'critic');
if (fs.existsSync(path.join(root, 'critic.json'))) {
  fs.mkdirSync(criticDir, { recursive: true });
  for (const f of ['critic.json', 'critic.bin']) fs.renameSync(path.join(root, f), path.join(criticDir, f));
}
if (fs.existsSync(path.join(criticDir, 'critic.json'))) convert(criticDir, 'critic');
