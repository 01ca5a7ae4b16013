// Steering beyond temperature (issue 13), the same for every model: pure functions applied by the
// job runner to a model's output (server/jobs/worker.ts), never inside a model. Each works on the
// generated notes only (a result's `add`), voice by voice (a voice = the notes of one trackId,
// which is a new track's ref or an existing target track):
//   rhythm 'chordal'   every voice moves with the melody: its onsets are projected onto the
//                      melody's onsets (the pitch sounding at each melody onset, held to the next);
//   density −1 … +1    sparser merges contiguous notes of a voice into their predecessor (shortest
//                      first); busier splits its longest notes in two on the 16th grid;
//   voiceRanges        folds each known voice (alto, tenor, …) by octaves into its preset range;
//   similarity         of k drafts (seeds seed, seed+1·P, …), keeps the one sharing the most
//                      (like) / fewest (unlike) notes with the previous candidate.
import type { NoteData, Score, TrackId } from '../../lib/score';
import { VOICE_RANGE_PRESETS, type AiVoice, type SteerKnobs } from '../../lib/ai/contract';
import type { GenerateRequest, GenerateResult } from '../generator';

/** A 16th note in ticks (PPQ 480), the grid density splits on. */
export const STEP_TICKS = 120;
/** Drafts generated for "like / unlike the previous candidate". */
export const SIMILARITY_DRAFTS = 3;
/** Seed stride between drafts (a prime, so drafts of neighbouring candidates do not share seeds). */
const DRAFT_SEED_STRIDE = 7919;

type N = NoteData;

function byVoice(notes: readonly N[]): Map<string, N[]> {
  const m = new Map<string, N[]>();
  for (const n of notes) {
    let l = m.get(n.trackId);
    if (!l) m.set(n.trackId, (l = []));
    l.push(n);
  }
  for (const l of m.values()) l.sort((a, b) => a.start - b.start || b.pitch - a.pitch);
  return m;
}

/**
 * Chordal rhythm: each voice sounds, at every melody onset inside the span where it sounded, the
 * pitch it had there, held until the next melody onset (or the end of what it sounded). Voice
 * onsets between melody onsets disappear, so every onset of the result is a melody onset.
 */
export function chordalRhythm(notes: readonly N[], melodyOnsets: readonly number[]): N[] {
  const onsets = [...new Set(melodyOnsets)].sort((a, b) => a - b);
  if (!onsets.length) return [...notes];
  const out: N[] = [];
  for (const voice of byVoice(notes).values()) {
    const end = Math.max(...voice.map((n) => n.start + n.duration));
    for (let i = 0; i < onsets.length; i++) {
      const t = onsets[i]!;
      const sounding = voice.filter((n) => n.start <= t && t < n.start + n.duration).sort((a, b) => b.start - a.start)[0];
      if (!sounding) continue;
      const next = Math.min(onsets[i + 1] ?? end, end);
      out.push({ ...sounding, start: t, duration: Math.max(1, next - t) });
    }
  }
  return out;
}

/**
 * Density. d < 0: of the notes that start exactly where the previous note of their voice ends,
 * the shortest |d| share is merged into that previous note (which is held longer). d > 0: of the
 * notes at least two 16ths long, the longest d share is split in two repeated notes on the grid.
 * Sounding time per voice is unchanged; d = 0 returns the notes as they are.
 */
export function applyDensity(notes: readonly N[], d: number): N[] {
  if (d === 0 || !Number.isFinite(d)) return [...notes];
  const out: N[] = [];
  for (const voice of byVoice(notes).values()) {
    const line = voice.map((n) => ({ ...n }));
    if (d < 0) {
      const joinable = line.map((n, i) => ({ n, i })).filter(({ n, i }) => i > 0 && line[i - 1]!.start + line[i - 1]!.duration === n.start);
      const count = Math.round(-d * joinable.length);
      const merge = new Set(joinable.sort((a, b) => a.n.duration - b.n.duration || a.i - b.i).slice(0, count).map((x) => x.i));
      let keep: N | null = null;
      for (let i = 0; i < line.length; i++) {
        const n = line[i]!;
        if (merge.has(i) && keep) keep.duration = n.start + n.duration - keep.start;
        else out.push((keep = n));
      }
    } else {
      const splittable = line.map((n, i) => ({ n, i })).filter(({ n }) => n.duration >= 2 * STEP_TICKS);
      const count = Math.round(Math.min(1, d) * splittable.length);
      const split = new Set(splittable.sort((a, b) => b.n.duration - a.n.duration || a.i - b.i).slice(0, count).map((x) => x.i));
      line.forEach((n, i) => {
        if (!split.has(i)) return void out.push(n);
        const first = Math.max(STEP_TICKS, Math.floor(n.duration / 2 / STEP_TICKS) * STEP_TICKS);
        out.push({ ...n, duration: first }, { ...n, start: n.start + first, duration: n.duration - first });
      });
    }
  }
  return out;
}

/** Folds the notes of each voice with a known range by octaves into it ('model': unchanged). */
export function foldVoiceRanges(notes: readonly N[], voiceOf: (trackId: string) => AiVoice | undefined, preset: SteerKnobs['voiceRanges']): N[] {
  if (preset === 'model') return [...notes];
  const ranges = VOICE_RANGE_PRESETS[preset];
  return notes.map((n) => {
    const v = voiceOf(n.trackId);
    if (!v) return n;
    const [lo, hi] = ranges[v];
    let p = n.pitch;
    while (p < lo && p + 12 <= 127) p += 12;
    while (p > hi && p - 12 >= 0) p -= 12;
    return p === n.pitch ? n : { ...n, pitch: p };
  });
}

/** Share (0–1) of `a`'s notes that `b` also has at the same start and pitch. */
export function noteOverlap(a: readonly { pitch: number; start: number }[], b: readonly { pitch: number; start: number }[]): number {
  if (!a.length) return 0;
  const keys = new Set(b.map((n) => `${n.start}:${n.pitch}`));
  return a.filter((n) => keys.has(`${n.start}:${n.pitch}`)).length / a.length;
}

/** The draft most (like) or least (unlike) like the previous candidate; ties go to the first. */
export function pickBySimilarity(drafts: readonly { add: readonly { pitch: number; start: number }[] }[], previous: readonly { pitch: number; start: number }[], mode: 'like' | 'unlike'): number {
  let best = 0;
  let bestScore = -Infinity;
  drafts.forEach((d, i) => {
    const o = noteOverlap(d.add, previous);
    const score = mode === 'like' ? o : -o;
    if (score > bestScore) (best = i), (bestScore = score);
  });
  return best;
}

/** Onsets of the request's source (melody) notes, inside its bars when it has them. */
export function melodyOnsets(score: Score, request: Pick<GenerateRequest, 'sourceTrackIds' | 'bars'>, ticksPerBar: number): number[] {
  const src = new Set<string>(request.sourceTrackIds);
  const [from, to] = request.bars ? [request.bars[0] * ticksPerBar, request.bars[1] * ticksPerBar] : [0, Infinity];
  return score.notes.filter((n) => src.has(n.trackId) && n.start >= from && n.start < to).map((n) => n.start);
}

const VOICES: readonly string[] = ['soprano', 'alto', 'tenor', 'bass'];

/** Applies rhythm, voice ranges and density to a result's generated notes (voice ranges before rhythm, density last). */
export function steerResult(result: GenerateResult, score: Score, request: Pick<GenerateRequest, 'sourceTrackIds' | 'bars'>, steer: SteerKnobs, ticksPerBar: number): GenerateResult {
  const names = new Map<string, string>(result.newTracks.map((t) => [t.ref, t.name.toLowerCase()]));
  const voiceOf = (trackId: string): AiVoice | undefined => {
    const v = names.get(trackId);
    return v && VOICES.includes(v) ? (v as AiVoice) : undefined;
  };
  let add: N[] = foldVoiceRanges(result.add, voiceOf, steer.voiceRanges);
  if (steer.rhythm === 'chordal') add = chordalRhythm(add, melodyOnsets(score, request, ticksPerBar));
  add = applyDensity(add, steer.density);
  return { ...result, add: add.map((n) => ({ ...n, trackId: n.trackId as TrackId })) };
}

/**
 * Runs a generation with the steering knobs: one draft, or — for "like / unlike the previous
 * candidate" with a previous candidate to compare with — SIMILARITY_DRAFTS drafts on different
 * seeds, keeping the most / least similar. `generate(seed, onProgress)` is the model's call.
 */
export async function generateSteered(
  generate: (seed: number, onProgress: (f: number) => void) => Promise<GenerateResult>,
  opts: { seed: number; steer: SteerKnobs; previous?: readonly { pitch: number; start: number }[] | null; score: Score; request: Pick<GenerateRequest, 'sourceTrackIds' | 'bars'>; ticksPerBar: number; onProgress?: (f: number) => void },
): Promise<GenerateResult & { draftsTried: number; draftChosen: number }> {
  const k = opts.steer.similarity !== 'none' && opts.previous?.length ? SIMILARITY_DRAFTS : 1;
  const drafts: GenerateResult[] = [];
  for (let i = 0; i < k; i++) {
    const seed = (opts.seed + i * DRAFT_SEED_STRIDE) % 2 ** 31;
    const raw = await generate(seed, (f) => opts.onProgress?.((i + f) / k));
    drafts.push(steerResult(raw, opts.score, opts.request, opts.steer, opts.ticksPerBar));
  }
  const chosen = k > 1 ? pickBySimilarity(drafts, opts.previous!, opts.steer.similarity as 'like' | 'unlike') : 0;
  return { ...drafts[chosen]!, draftsTried: k, draftChosen: chosen };
}
