// What this page shows of the session's AI work, outside React so the piano roll's canvas can
// read it each frame: the suggestions (from the shared document), which candidate of each request
// this person is previewing (local: switching cards costs no request and changes nobody else's
// view), the running jobs' bars and progress, and the suggestion being auditioned.
import { jobsMap, readJobs, type JobState } from '@/lib/score';
import type { Editor } from '../editor';
import { suggestionSpan } from '@/lib/score/suggestions';
import { readSuggestionViews, suggestionsMap, type SuggestionView } from './suggestion-view';

/** A job as the panel shows it (lib/score/jobs.ts; requestId '' for jobs from before issue 13). */
export type JobView = JobState;

export interface ProgressBand {
  jobId: string;
  label: string;
  progress: number;
  fromTick: number;
  toTick: number;
  row: number;
}

export interface Audition {
  suggestionId: string;
  mode: 'in-place' | 'solo';
}

export const MODEL_LABEL: Record<string, string> = { gan: 'GAN', arcnn: 'AR-CNN', transformer: 'Transformer' };

export class AiView {
  suggestions: SuggestionView[] = [];
  jobs: JobView[] = [];
  audition: Audition | null = null;
  /** Bumped on every change; React reads it through useSyncExternalStore. */
  version = 0;
  private chosen = new Map<string, string>();
  private listeners = new Set<() => void>();
  private readonly stop: () => void;

  constructor(private readonly ed: Editor) {
    const doc = ed.conn.doc;
    const onSuggestions = () => {
      this.suggestions = readSuggestionViews(doc);
      this.changed();
    };
    const onJobs = () => {
      this.jobs = readJobs(doc);
      this.changed();
    };
    onSuggestions();
    onJobs();
    suggestionsMap(doc).observeDeep(onSuggestions);
    jobsMap(doc).observeDeep(onJobs);
    this.stop = () => {
      suggestionsMap(doc).unobserveDeep(onSuggestions);
      jobsMap(doc).unobserveDeep(onJobs);
    };
  }

  private changed(): void {
    this.version++;
    this.listeners.forEach((fn) => fn());
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  suggestion(id: string): SuggestionView | undefined {
    return this.suggestions.find((s) => s.id === id);
  }

  /** The suggestions of each request, in request order (oldest first). */
  requests(): { requestId: string; suggestions: SuggestionView[]; jobs: JobView[] }[] {
    const by = new Map<string, { requestId: string; suggestions: SuggestionView[]; jobs: JobView[] }>();
    for (const s of this.suggestions) {
      let r = by.get(s.requestId);
      if (!r) by.set(s.requestId, (r = { requestId: s.requestId, suggestions: [], jobs: [] }));
      r.suggestions.push(s);
    }
    for (const j of this.jobs) if (j.requestId && by.has(j.requestId)) by.get(j.requestId)!.jobs.push(j);
    return [...by.values()];
  }

  /** The candidate of a request this page previews: the one chosen here if still pending, else the first pending. */
  active(requestId: string): SuggestionView | undefined {
    const pending = this.suggestions.filter((s) => s.requestId === requestId && s.status === 'pending');
    return pending.find((s) => s.id === this.chosen.get(requestId)) ?? pending[0];
  }

  choose(s: SuggestionView): void {
    if (this.chosen.get(s.requestId) === s.id) return;
    this.chosen.set(s.requestId, s.id);
    this.changed();
  }

  /** What the roll draws as ghost notes: the previewed candidate of every request with one pending. */
  previews(): SuggestionView[] {
    const out: SuggestionView[] = [];
    const seen = new Set<string>();
    for (const s of this.suggestions) {
      if (seen.has(s.requestId)) continue;
      seen.add(s.requestId);
      const a = this.active(s.requestId);
      if (a) out.push(a);
    }
    return out;
  }

  /** Running or queued jobs as bands over their bars (whole piece when the request had none). */
  bands(): ProgressBand[] {
    const bt = this.ed.barTicks;
    const len = this.ed.store.meta.lengthBars;
    return this.jobs
      .filter((j) => j.status === 'queued' || j.status === 'running')
      .map((j, row) => {
        const [a, b] = j.bars ?? [0, len];
        return { jobId: j.id, label: `${MODEL_LABEL[j.model] ?? j.model}${j.status === 'queued' ? ' waiting' : ` ${Math.round(j.progress * 100)}%`} · ${j.requesterName}`, progress: j.progress, fromTick: a * bt, toTick: b * bt, row };
      });
  }

  setAudition(a: Audition | null): void {
    this.audition = a;
    this.changed();
  }

  span(s: SuggestionView): [number, number] {
    return suggestionSpan({ meta: this.ed.store.meta }, s);
  }

  destroy(): void {
    this.stop();
    this.listeners.clear();
  }
}

const views = new WeakMap<Editor, AiView>();

/** The page's one AiView for an editor (created on first use, lives as long as the editor). */
export function aiView(ed: Editor): AiView {
  let v = views.get(ed);
  if (!v) views.set(ed, (v = new AiView(ed)));
  return v;
}
