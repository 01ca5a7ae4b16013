// The browser's calls to the model studio (issue 18 items 3-4): uploads, trainings, the registry
// and a session's pins. Shapes come from lib/ai/studio.ts (the one contract) and every answer is
// parsed with its schema, so a server that drifts from the contract shows as a clear error here
// rather than as undefined fields in the page. Refusals carry the server's own sentence and issues.
// First: zod must not probe `new Function` under the page's CSP (see ../editor/csp).
import '../editor/csp';
import { z } from 'zod';
import {
  collectionSchema,
  modelVersionSchema,
  pinsSchema,
  rejectedFileSchema,
  STUDIO_KEY_HEADER,
  trainingJobSchema,
  trainingViewSchema,
  uploadResponseSchema,
  type ModelPins,
  type ModelVersion,
  type RejectedFile,
  type StudioFamily,
  type TrainingJob,
  type TrainingView,
  type TrainRequest,
  type UploadResponse,
} from '@/lib/ai/studio';

export class StudioApiError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly issues: readonly string[] = [],
    readonly code = '',
    /** An upload where no file was accepted still says why each was rejected. */
    readonly rejected: readonly RejectedFile[] = [],
  ) {
    super(message);
  }
}

const KEY = 'tutti:studio-key';

/** This browser's studio key (created once, kept in localStorage): it proves who started a training. */
export function studioKey(): string {
  let key: string | null = null;
  try {
    key = window.localStorage.getItem(KEY);
  } catch {}
  if (key && /^[A-Za-z0-9_-]{16,200}$/.test(key)) return key;
  key = `${crypto.randomUUID()}${crypto.randomUUID()}`.replace(/-/g, '');
  try {
    window.localStorage.setItem(KEY, key);
  } catch {
    /* private mode: a key per page load (the trainings started here stay cancellable from this page) */
  }
  return key;
}

const OWNER = 'tutti:name';
/** The name this browser goes by (the editor's presence name), shown as a version's owner. */
export function ownerName(): string {
  try {
    return window.localStorage.getItem(OWNER)?.trim().slice(0, 60) || 'anonymous';
  } catch {
    return 'anonymous';
  }
}

const refusal = z
  .object({
    error: z.string().optional(),
    code: z.string().optional(),
    issues: z.array(z.string()).optional(),
    rejected: z.array(rejectedFileSchema).optional(),
  })
  .passthrough();

async function call<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store', ...init });
  } catch {
    throw new StudioApiError('the server is unreachable; try again when you are back online');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const r = refusal.safeParse(body);
    const b = r.success ? r.data : {};
    throw new StudioApiError(b.error ?? `request failed (HTTP ${res.status})`, res.status, b.issues ?? [], b.code ?? '', b.rejected ?? []);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new StudioApiError(
      `the server's answer to ${url} does not match the studio contract: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      res.status,
    );
  return parsed.data;
}

const keyed = (extra: Record<string, string> = {}): Record<string, string> => ({ [STUDIO_KEY_HEADER]: studioKey(), ...extra });
const json = { 'content-type': 'application/json' };

/** Uploads a collection of MIDI files (multipart). A 400 where every file was rejected throws with `rejected` set. */
export function uploadCollection(files: readonly File[], name: string): Promise<UploadResponse> {
  const form = new FormData();
  for (const f of files) form.append('files', f, f.name);
  if (name) form.append('name', name);
  form.append('owner', ownerName());
  return call('/api/studio/collections', { method: 'POST', body: form, headers: keyed() }, uploadResponseSchema);
}

export const getCollection = (id: string) => call(`/api/studio/collections/${encodeURIComponent(id)}`, {}, z.object({ collection: collectionSchema }));

const started = z.object({ training: trainingJobSchema, version: modelVersionSchema });
export function startTraining(body: TrainRequest): Promise<z.infer<typeof started>> {
  return call('/api/studio/trainings', { method: 'POST', body: JSON.stringify(body), headers: keyed(json) }, started);
}

export const listTrainings = (limit = 20) => call(`/api/studio/trainings?limit=${limit}`, {}, z.object({ trainings: z.array(trainingJobSchema) }));

export const getTraining = (id: string, after?: number): Promise<TrainingView> =>
  call(`/api/studio/trainings/${encodeURIComponent(id)}${after === undefined ? '' : `?after=${after}`}`, {}, trainingViewSchema);

const one = z.object({ training: trainingJobSchema });
export const cancelTraining = (id: string): Promise<{ training: TrainingJob }> =>
  call(`/api/studio/trainings/${encodeURIComponent(id)}/cancel`, { method: 'POST', headers: keyed() }, one);
export const resumeTraining = (id: string): Promise<{ training: TrainingJob }> =>
  call(`/api/studio/trainings/${encodeURIComponent(id)}/resume`, { method: 'POST', headers: keyed() }, one);

export function listVersions(filter: { family?: StudioFamily; status?: 'ready' } = {}): Promise<ModelVersion[]> {
  const q = new URLSearchParams();
  if (filter.family) q.set('family', filter.family);
  if (filter.status) q.set('status', filter.status);
  return call(`/api/studio/versions${q.size ? `?${q}` : ''}`, {}, z.object({ versions: z.array(modelVersionSchema) })).then((r) => r.versions);
}

export const getVersion = (id: string) =>
  call(`/api/studio/versions/${encodeURIComponent(id)}`, {}, z.object({ version: modelVersionSchema, card: z.string().nullable() }));

export const deleteVersion = (id: string) =>
  call(`/api/studio/versions/${encodeURIComponent(id)}`, { method: 'DELETE', headers: keyed() }, z.object({ deleted: z.literal(true) }));

/** A session's pins (any link), and pinning one (edit link). `auth`: the editor's link headers. */
export const getPins = (sessionId: string, auth: Record<string, string>): Promise<ModelPins> =>
  call(`/api/sessions/${encodeURIComponent(sessionId)}/model-pins`, { headers: auth }, z.object({ pins: pinsSchema })).then((r) => r.pins);

export const putPin = (sessionId: string, family: StudioFamily, versionId: string | null, auth: Record<string, string>): Promise<ModelPins> =>
  call(
    `/api/sessions/${encodeURIComponent(sessionId)}/model-pins`,
    { method: 'PUT', body: JSON.stringify({ family, versionId }), headers: { ...json, ...auth } },
    z.object({ pins: pinsSchema }),
  ).then((r) => r.pins);

/** The live progress of a training (Server-Sent Events, see /work/notes/studio-api.md): snapshot, then points and status changes until `end`. */
export interface TrainingStream {
  close(): void;
}

export function watchTraining(
  id: string,
  on: {
    snapshot(v: TrainingView): void;
    progress(p: TrainingView['points'][number]): void;
    status(t: TrainingJob): void;
    end(t: TrainingJob): void;
    error(message: string): void;
  },
): TrainingStream {
  const es = new EventSource(`/api/studio/trainings/${encodeURIComponent(id)}/events`);
  const parse =
    <T>(schema: z.ZodType<T>, fn: (v: T) => void) =>
    (e: MessageEvent) => {
      let data: unknown;
      try {
        data = JSON.parse(e.data as string);
      } catch {
        return on.error('the progress stream sent something that is not JSON');
      }
      const r = schema.safeParse(data);
      if (r.success) fn(r.data);
      else on.error(`the progress stream does not match the studio contract: ${r.error.issues[0]?.message}`);
    };
  es.addEventListener('snapshot', parse(trainingViewSchema, on.snapshot));
  es.addEventListener('progress', parse(trainingViewSchema.shape.points.element, on.progress));
  es.addEventListener(
    'status',
    parse(one, (v) => on.status(v.training)),
  );
  es.addEventListener(
    'end',
    parse(one, (v) => {
      es.close(); // else EventSource reconnects after the server closes the stream
      on.end(v.training);
    }),
  );
  // A refused or broken stream (unknown id, server gone) ends CLOSED; a dropped one retries by itself.
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) on.error('the progress stream closed');
  };
  return { close: () => es.close() };
}
