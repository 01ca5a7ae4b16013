'use client';
// "Train your own" (issue 18 item 3): a model family, its main hyperparameters within the limits
// the studio contract sets for this machine, and the data — the JSB Chorales training split or an
// uploaded collection of MIDI files. Starting sends one request; the server queues the training and
// the page moves to its live view (/models/train?training=<id>), a link anyone can open to watch.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../editor/csp).
import '../../editor/csp';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { MODEL_INFO } from '@/lib/ai/contract';
import {
  STUDIO_DEFAULTS,
  STUDIO_FAMILIES,
  STUDIO_LIMITS,
  STUDIO_SIZES,
  trainRequestSchema,
  type Collection,
  type StudioFamily,
  type StudioSize,
  type TrainRequest,
} from '@/lib/ai/studio';
import { ErrorBox, type ErrorText } from '../../components/ErrorBox';
import { ownerName, startTraining, StudioApiError } from '../studio-api';
import { UploadPicker } from './UploadPicker';

const SIZE_TEXT: Record<StudioSize, string> = {
  tiny: 'the model’s test-sized network: quick steps, learns little',
  standard: 'the committed model’s shape: what the built-in was trained as; each step is far slower',
};

/** The contract's limit a number field takes its range from (lib/ai/studio.ts: the one source of truth). */
type NumberLimit = Exclude<keyof typeof STUDIO_LIMITS, 'name'>;

/** A limit as the hint shows it: whole numbers with thousands separators (3,000), fractions as written (0.00001). */
const limitText = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en') : String(n));

type NumberFieldProps = {
  label: string;
  testId: string;
  limit: NumberLimit;
  step: 1 | 'any';
  value: number;
  onChange: (value: number) => void;
  /** Said after the range in the hint. */
  note?: string;
};

/** A number setting: its input bounded by the contract's limits, and a hint with the range (plus `note`).
 *  An emptied input holds NaN, which the contract's check refuses with its own sentence. */
function NumberField({ label, testId, limit, step, value, onChange, note = '' }: NumberFieldProps) {
  const { min, max } = STUDIO_LIMITS[limit];
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        data-testid={testId}
        min={min}
        max={max}
        step={step}
        value={Number.isFinite(value) ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
      />
      <span className="muted">
        {limitText(min)}–{limitText(max)}
        {note}
      </span>
    </label>
  );
}

export function TrainForm() {
  const router = useRouter();
  const [family, setFamily] = useState<StudioFamily>('gan');
  const [name, setName] = useState('');
  const [size, setSize] = useState<StudioSize>(STUDIO_DEFAULTS.gan.size);
  const [steps, setSteps] = useState<number>(STUDIO_LIMITS.steps.default);
  const [learningRate, setLearningRate] = useState<number>(STUDIO_DEFAULTS.gan.learningRate);
  const [batch, setBatch] = useState<number>(STUDIO_DEFAULTS.gan.batch);
  const [dataKind, setDataKind] = useState<'jsb' | 'upload'>('jsb');
  const [collection, setCollection] = useState<Collection | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorText | null>(null);

  const pickFamily = (f: StudioFamily) => {
    setFamily(f);
    // Each family's own defaults: a learning rate that suits one network is wrong for another.
    setLearningRate(STUDIO_DEFAULTS[f].learningRate);
    setBatch(STUDIO_DEFAULTS[f].batch);
    setSize(STUDIO_DEFAULTS[f].size);
  };

  const body = (): TrainRequest | null => {
    if (dataKind === 'upload' && !collection) return null;
    return {
      family,
      name,
      owner: ownerName(),
      size,
      steps,
      learningRate,
      batch,
      data: dataKind === 'jsb' ? { kind: 'jsb' } : { kind: 'upload', collectionId: collection!.id },
    };
  };

  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const b = body();
    if (!b) return setError({ text: 'Upload at least one valid MIDI file first, or choose the JSB Chorales.', issues: [] });
    // The contract's own check first: the same sentences the server would answer with, without a round trip.
    const checked = trainRequestSchema.safeParse(b);
    if (!checked.success)
      return setError({ text: 'Some settings are out of range:', issues: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    setBusy(true);
    try {
      const r = await startTraining(b);
      router.push(`/models/train?training=${encodeURIComponent(r.training.id)}`);
    } catch (err) {
      setError(err instanceof StudioApiError ? { text: err.message, issues: err.issues } : { text: String(err), issues: [] });
      setBusy(false);
    }
  };

  const L = STUDIO_LIMITS;
  return (
    <form className="train-form" data-testid="train-form" onSubmit={start}>
      <fieldset>
        <legend>Model</legend>
        {STUDIO_FAMILIES.map((f) => (
          <label key={f} className="choice">
            <input type="radio" name="family" value={f} data-testid={`train-family-${f}`} checked={family === f} onChange={() => pickFamily(f)} />
            <strong>{MODEL_INFO[f].label}</strong> <span className="muted">{MODEL_INFO[f].blurb}</span>
          </label>
        ))}
      </fieldset>

      <fieldset>
        <legend>Settings</legend>
        <label className="field">
          <span>Name</span>
          <input data-testid="train-name" value={name} maxLength={L.name.max} placeholder="my-folk-tunes" required onChange={(e) => setName(e.target.value)} />
          <span className="muted">
            Shown in every session’s AI panel as “{MODEL_INFO[family].label} · {name || 'name'}”.
          </span>
        </label>
        <label className="field">
          <span>Size</span>
          <select data-testid="train-size" value={size} onChange={(e) => setSize(e.target.value as StudioSize)}>
            {STUDIO_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <span className="muted">{SIZE_TEXT[size]}</span>
        </label>
        <NumberField label="Steps" testId="train-steps" limit="steps" step={1} value={steps} onChange={setSteps} />
        <NumberField
          label="Learning rate"
          testId="train-lr"
          limit="learningRate"
          step="any"
          value={learningRate}
          onChange={setLearningRate}
          note={`; ${MODEL_INFO[family].label}’s own default ${STUDIO_DEFAULTS[family].learningRate}`}
        />
        <NumberField label="Batch" testId="train-batch" limit="batch" step={1} value={batch} onChange={setBatch} note=" examples per step" />
      </fieldset>

      <fieldset>
        <legend>Data</legend>
        <label className="choice">
          <input type="radio" name="data" value="jsb" data-testid="train-data-jsb" checked={dataKind === 'jsb'} onChange={() => setDataKind('jsb')} />
          The JSB Chorales training split <span className="muted">(validated on its valid split; the test split is never used)</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="data"
            value="upload"
            data-testid="train-data-upload"
            checked={dataKind === 'upload'}
            onChange={() => setDataKind('upload')}
          />
          A collection of MIDI files you upload
        </label>
        {/* Kept mounted while hidden: switching to the chorales and back keeps the uploaded collection and its verdicts. */}
        <div hidden={dataKind !== 'upload'}>
          <UploadPicker name={name} onCollection={setCollection} />
        </div>
      </fieldset>

      <button type="submit" className="primary" data-testid="train-start" disabled={busy || (dataKind === 'upload' && !collection)}>
        {busy ? 'Starting…' : 'Train'}
      </button>
      <ErrorBox error={error} className="problems" testId="train-error" />
    </form>
  );
}
