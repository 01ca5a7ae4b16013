// `npm run generate -- <model> --input in.mid --output out.mid [--task T] [--bars N] [--seed S]
//   [--source-track I] [--target-tracks I,J] [--<knob> value ...]`
// Runs one generator from the command line the way the accompaniment worker does: MIDI → Score,
// one GenerateRequest, the result applied to the score (new tracks, added and removed notes), Score
// → MIDI. Every flag that is not a CLI flag is passed to the model as a knob, so each model's zod
// schema decides what is valid and the CLI never has to know a model's knobs.
import { readFileSync, writeFileSync } from 'node:fs';
import { midiToScore, scoreToMidi } from '../../lib/midi';
import { defaultTrack, newNoteId, newTrackId, ticksPerBar, type Note, type Score, type Track, type TrackId } from '../../lib/score';
import { TASKS, type GenerateRequest, type GenerateResult, type Task } from '../generator';
import { createGenerator } from '../registry';
import { modelArg, numberFlag, parseArgs, type ParsedArgs } from './args';

const USAGE =
  'usage: npm run generate -- arcnn|gan|transformer --input in.mid --output out.mid [--task ' +
  TASKS.join('|') +
  '] [--bars N | --from-bar A --to-bar B] [--seed S] [--source-track I] [--target-tracks I,J] [--<knob> value ...]';

const CLI_FLAGS = new Set(['input', 'output', 'task', 'bars', 'from-bar', 'to-bar', 'seed', 'source-track', 'target-tracks', 'help']);

export class CliError extends Error {}

/** The melody the model reads: an explicit index, else the first melody-role track, else track 0. */
export function pickSourceTrack(score: Score, index?: number): Track {
  if (score.tracks.length === 0) throw new CliError('the MIDI file has no tracks with notes');
  if (index !== undefined) {
    const t = score.tracks[index];
    if (!Number.isInteger(index) || !t) throw new CliError(`--source-track ${index} does not exist (the file has ${score.tracks.length} tracks, 0-based)`);
    return t;
  }
  return score.tracks.find((t) => t.role === 'melody') ?? score.tracks[0]!;
}

/** Knob values from the command line: numbers and booleans are parsed, anything else stays a string. */
export function knobsFromFlags(flags: ParsedArgs['flags']): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) {
    if (CLI_FLAGS.has(k)) continue;
    const key = k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (v === true || v === 'true') params[key] = true;
    else if (v === 'false') params[key] = false;
    else if (v.trim() !== '' && Number.isFinite(Number(v))) params[key] = Number(v);
    else params[key] = v;
  }
  return params;
}

/** Applies a generator result to a plain score: the same edit the worker makes to the shared doc. */
export function applyResult(score: Score, result: GenerateResult): Score {
  const refToId = new Map<string, TrackId>();
  const tracks = [...score.tracks];
  let order = tracks.reduce((m, t) => Math.max(m, t.order), 0);
  for (const nt of result.newTracks) {
    const id = newTrackId();
    refToId.set(nt.ref, id);
    tracks.push({ ...defaultTrack(tracks.length, { name: nt.name, instrument: nt.instrument, role: nt.role, order: ++order }), id });
  }
  const known = new Set(tracks.map((t) => t.id as string));
  const removed = new Set<string>(result.remove);
  const notes: Note[] = score.notes.filter((n) => !removed.has(n.id));
  for (const a of result.add) {
    const trackId = refToId.get(a.trackId) ?? a.trackId;
    if (!known.has(trackId)) throw new CliError(`the model returned a note for unknown track "${a.trackId}"`);
    notes.push({ ...a, trackId, id: newNoteId() });
  }
  const end = notes.reduce((m, n) => Math.max(m, n.start + n.duration), 0);
  const lengthBars = Math.max(score.meta.lengthBars, Math.ceil(end / ticksPerBar(score.meta.timeSignature)));
  return { meta: { ...score.meta, lengthBars }, tracks, notes };
}

export function buildRequest(score: Score, flags: ParsedArgs['flags']): GenerateRequest {
  const task = (flags.task ?? 'harmonize') as Task;
  if (typeof task !== 'string' || !(TASKS as readonly string[]).includes(task)) throw new CliError(`--task must be one of ${TASKS.join(', ')}`);
  const source = pickSourceTrack(score, numberFlag(flags, 'source-track'));
  let targetTrackIds: TrackId[] | undefined;
  const tt = flags['target-tracks'];
  if (typeof tt === 'string') {
    targetTrackIds = tt.split(',').map((s) => {
      const t = score.tracks[Number(s)];
      if (s.trim() === '' || !t) throw new CliError(`--target-tracks: track ${s} does not exist (0-based, ${score.tracks.length} tracks)`);
      return t.id;
    });
  } else if (task === 'rewrite' || task === 'infill') {
    // Editing tasks need tracks to edit: default to every track but the source.
    targetTrackIds = score.tracks.filter((t) => t.id !== source.id).map((t) => t.id);
  }
  const nBars = numberFlag(flags, 'bars');
  const from = numberFlag(flags, 'from-bar');
  const to = numberFlag(flags, 'to-bar');
  let bars: [number, number] | undefined;
  if (from !== undefined || to !== undefined) {
    const f = from ?? 0;
    bars = [f, to ?? f + (nBars ?? 8)];
  } else if (nBars !== undefined) bars = [0, nBars];
  const seed = numberFlag(flags, 'seed');
  return {
    task,
    sourceTrackIds: [source.id],
    ...(targetTrackIds ? { targetTrackIds } : {}),
    ...(bars ? { bars } : {}),
    params: knobsFromFlags(flags),
    ...(seed !== undefined ? { seed } : {}),
  };
}

async function main(): Promise<void> {
  const { positional, flags } = parseArgs(process.argv.slice(2));
  const model = modelArg(positional, USAGE);
  const input = flags.input;
  const output = flags.output;
  if (typeof input !== 'string' || typeof output !== 'string') throw new CliError(USAGE);
  const score = midiToScore(new Uint8Array(readFileSync(input)));
  const request = buildRequest(score, flags);
  const generator = await createGenerator(model);
  const t0 = performance.now();
  try {
    await generator.initialize();
    let last = -1;
    const result = await generator.generate(score, request, {
      onProgress: (f) => {
        const pct = Math.floor(f * 10) * 10;
        if (pct !== last && process.stderr.isTTY) process.stderr.write(`\r${model}: ${pct}%`);
        last = pct;
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const out = applyResult(score, result);
    writeFileSync(output, scoreToMidi(out));
    const summary = {
      model,
      task: request.task,
      input,
      output,
      new_tracks: result.newTracks.length,
      notes_added: result.add.length,
      notes_removed: result.remove.length,
      ms: Math.round(performance.now() - t0),
      ...(result.stats ?? {}),
    };
    console.log(JSON.stringify(summary));
  } finally {
    generator.dispose();
  }
}

// Only run when invoked as a script, so tests can import the helpers above.
if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    const err = e as Error;
    console.error(`generate: ${err.name === 'Error' || err instanceof CliError ? '' : err.name + ': '}${err.message}`);
    process.exit(1);
  });
}
