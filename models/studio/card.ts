// The model card of a trained version (issue 18): what it was trained on, with which settings,
// how the training went (the curve, thinned to a table) and its held-out figures. Markdown, like
// the committed models' MODEL_CARD.md; the /models pages render it.
import { versionLabel, type ProgressPoint, type StudioFamily, type TrainSettings } from '../../lib/ai/studio';

export interface CardInput {
  family: StudioFamily;
  name: string;
  owner: string;
  dataDescription: string;
  settings: TrainSettings;
  points: readonly ProgressPoint[];
  /** The final validation pass's figures (held-out data), and the best validation. */
  metrics: Record<string, number>;
  best: { step: number; value: number } | null;
  backend: string;
  parameters: number | null;
  seconds: number;
  createdAt: string;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

/** At most `n` points spread over the curve, always the first and the last. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
}

export function modelCard(c: CardInput): string {
  const s = c.settings;
  const rows = thin(c.points, 12).map((p) => `| ${p.step} | ${fmt(p.loss)} | ${p.valid === null ? '' : fmt(p.valid)} | ${(p.elapsedMs / 1000).toFixed(1)} |`);
  const validated = c.points.filter((p) => p.valid !== null);
  const metricRows = Object.entries(c.metrics)
    .filter(([k]) => !k.startsWith('data_'))
    .map(([k, v]) => `| ${k} | ${fmt(v)} |${c.metrics[`data_${k}`] !== undefined ? ` ${fmt(c.metrics[`data_${k}`]!)} |` : ' |'}`);
  return [
    `# ${versionLabel(c.family, c.name)}`,
    '',
    `Trained in Tutti's model studio by ${c.owner} on ${c.createdAt.slice(0, 10)}: the ${c.family} family's own training code (\`npm run train -- ${c.family}\`), run as a server job.`,
    '',
    '## Data',
    '',
    c.dataDescription,
    '',
    '## Settings',
    '',
    '| setting | value |',
    '| --- | --- |',
    `| size | ${s.size}${c.parameters ? ` (${c.parameters.toLocaleString('en')} parameters)` : ''} |`,
    `| steps | ${s.steps} |`,
    `| learning rate | ${s.learningRate} |`,
    `| batch | ${s.batch} |`,
    `| seed | ${s.seed} |`,
    `| backend | ${c.backend} |`,
    `| training time | ${c.seconds.toFixed(1)} s |`,
    '',
    '## Curves',
    '',
    `Training loss (mean since the previous point) and the held-out validation loss${validated.length ? `, measured ${validated.length} times` : ''}.`,
    '',
    '| step | loss | valid loss | seconds |',
    '| ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## Eval on held-out data',
    '',
    `The last validation pass, on the validation part of the data (never trained on)${c.best ? `; best validation loss ${fmt(c.best.value)} at step ${c.best.step}` : ''}.`,
    '',
    '| figure | this model | the data |',
    '| --- | ---: | ---: |',
    ...metricRows,
    '',
    '## Limits',
    '',
    `A ${s.steps}-step run on a shared 2-core machine: expect far rougher results than the built-in ${c.family}, which trained for thousands of steps on the JSB Chorales.`,
    '',
  ].join('\n');
}
