// The model versions the AI panel offers (issue 18): the built-ins and every ready version people
// trained (GET /api/studio/versions?status=ready), and this session's pins (which version a family
// uses when a request names none). Outside React, one store per page, so the panel, the suggestion
// cards and the job list agree on what a suggestion's `modelVersion` is called ("GAN · my-folk-tunes").
import { builtInVersionId, type ModelPins, type ModelVersion, type StudioFamily } from '@/lib/ai/studio';
import { getPins, listVersions, putPin } from '../../models/studio-api';
import type { Editor } from '../editor';
import { MODEL_LABEL } from './ai-view';

export interface VersionsState {
  /** Ready versions, built-ins first (as the server lists them). */
  versions: ModelVersion[];
  pins: ModelPins;
  /** Why the list could not be read (the panel still offers the built-ins). */
  error: string | null;
}

const NO_PINS: ModelPins = { gan: null, arcnn: null, transformer: null };
let state: VersionsState = { versions: [], pins: NO_PINS, error: null };
const listeners = new Set<() => void>();
let inflight: Promise<void> | null = null;

function set(next: Partial<VersionsState>): void {
  state = { ...state, ...next };
  for (const fn of listeners) fn();
}

export const versionsStore = {
  get: (): VersionsState => state,
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

/** Reads the ready versions and the session's pins again (on panel open, focus, and an unknown suggestion version). */
export function refreshVersions(editor: Editor): Promise<void> {
  inflight ??= (async () => {
    try {
      const [versions, pins] = await Promise.all([listVersions({ status: 'ready' }), getPins(editor.sessionId, editor.authHeaders()).catch(() => state.pins)]);
      set({ versions, pins, error: null });
    } catch (e) {
      set({ error: (e as Error).message });
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** Pins a version (null: the built-in) for a family in this session; needs the edit link. */
export async function pinVersion(editor: Editor, family: StudioFamily, versionId: string | null): Promise<void> {
  set({ pins: await putPin(editor.sessionId, family, versionId, editor.authHeaders()) });
}

/** Trained (not built-in) ready versions of a family, as the model menu lists them under the built-in. */
export const userVersionsOf = (s: VersionsState, family: StudioFamily): ModelVersion[] =>
  s.versions.filter((v) => v.family === family && !v.builtIn && v.status === 'ready');

/** The version a suggestion or job names: its registry entry when `modelVersion` is (or starts with) a version id. */
export function versionOf(s: VersionsState, modelVersion: string): ModelVersion | undefined {
  if (!modelVersion) return undefined;
  const id = modelVersion.split(/\s/)[0]!;
  return s.versions.find((v) => v.id === id || v.id === modelVersion);
}

/**
 * What to call the model that made a suggestion: "GAN · my-folk-tunes" for a trained version, the
 * family label for a built-in (its weights hash stays in `modelVersion`, shown apart).
 */
export function versionLabelOf(s: VersionsState, model: string, modelVersion: string): string {
  const v = versionOf(s, modelVersion);
  if (v) return v.builtIn ? (MODEL_LABEL[model] ?? model) : v.label;
  // A version not in the list (deleted since, or not read yet), stored by the server as
  // "<id> · <label>": its label still says which version made it.
  const stored = /^\S+ · (.+ · .+)$/.exec(modelVersion)?.[1];
  return stored ?? MODEL_LABEL[model] ?? model;
}

const tried = new Set<string>();
/** Reads the list again when a suggestion names a version it does not hold (trained since), once per name. */
export function lookUpVersion(editor: Editor, modelVersion: string): void {
  if (!modelVersion || versionOf(state, modelVersion) || tried.has(modelVersion)) return;
  tried.add(modelVersion);
  void refreshVersions(editor);
}

export { builtInVersionId };
