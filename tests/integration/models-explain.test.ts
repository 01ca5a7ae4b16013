// "How it works" (issue 18 item 2) from the live models, through the real server: the AR-CNN's
// sampling iterations with added/removed notes and probability maps, the GAN's seeds with critic
// scores next to a real chorale's, and the transformer's tokens with attention rows that sum to 1;
// a session's track as the source (with its link), and clear refusals for bad requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHeat, type ArcnnExplain, type ExplainNote, type GanExplain, type TransformerExplain } from '@/lib/ai/explain';
import { BUILTIN_MELODIES } from '@/lib/melodies/builtin';
import { createSessionWithLinks, startTestServer, type TestServer } from '../helpers/server';
import { api, assertWeights, connect, writeMelody } from './jobs-helpers';

const key = (n: ExplainNote) => `${n.voice},${n.pitch},${n.start},${n.duration}`;

describe('models explain API on a real server', () => {
  let server: TestServer;
  const post = <T>(model: string, body: unknown, headers: Record<string, string> = {}) => api<T>(`${server.url}/api/models/${model}/explain`, 'POST', body, headers);

  beforeAll(async () => {
    assertWeights();
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('AR-CNN: every iteration masks voice-steps, has a probability map, and its added/removed notes replay to the final accompaniment', async () => {
    const r = await post<ArcnnExplain>('arcnn', { source: { kind: 'builtin', melody: 'twinkle' }, iterations: 6, seed: 3 });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    const a = r.body;
    expect(a.melody.notes).toHaveLength(BUILTIN_MELODIES.twinkle.notes.length);
    expect(a.iterations).toHaveLength(6);
    const { steps, pitches } = a.grid;
    let cur = new Map<string, ExplainNote>();
    for (const it of a.iterations) {
      expect(it.masked).toBeGreaterThan(0);
      const heat = decodeHeat(it.heat);
      expect(heat.length).toBe(steps * pitches);
      expect(Math.max(...heat)).toBeGreaterThan(0.2); // a masked voice-step's likeliest pitch
      expect(Math.min(...heat)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...heat)).toBeLessThanOrEqual(1);
      for (const n of it.removed) expect(cur.has(key(n)), `removed ${key(n)} was not there`).toBe(true);
      cur = new Map(cur);
      for (const n of it.removed) cur.delete(key(n));
      for (const n of it.added) {
        expect(n.voice).toBeGreaterThanOrEqual(1);
        cur.set(key(n), n);
      }
    }
    // The first iteration writes all three voices from nothing.
    expect(a.iterations[0]!.added.length).toBeGreaterThan(3);
    expect([...cur.keys()].sort()).toEqual(a.final.map(key).sort());
  });

  it('GAN: one accompaniment and critic score per seed, and the critic’s score of a real chorale', async () => {
    const r = await post<GanExplain>('gan', { source: { kind: 'builtin', melody: 'ode-to-joy' }, seeds: [1, 2] });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    const g = r.body;
    expect(g.samples.map((s) => s.seed)).toEqual([1, 2]);
    for (const s of g.samples) {
      expect(Number.isFinite(s.critic)).toBe(true);
      expect(new Set(s.notes.map((n) => n.voice))).toEqual(new Set([1, 2, 3]));
    }
    expect(Number.isFinite(g.real.critic)).toBe(true);
    expect(new Set(g.real.notes.map((n) => n.voice))).toEqual(new Set([0, 1, 2, 3]));
    expect(g.criticBars).toBeGreaterThan(0);
  });

  it('transformer: three tokens per step and, per step, attention rows over the earlier steps that sum to 1', async () => {
    const r = await post<TransformerExplain>('transformer', { source: { kind: 'builtin', melody: 'twinkle' }, seed: 2 });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    const t = r.body;
    expect(t.tokens.length).toBe(3 * t.attention.length);
    expect(t.attention.length).toBeGreaterThan(32);
    t.attention.forEach((a, i) => {
      const step = t.tokens[3 * i]!.step;
      expect(t.tokens.slice(3 * i, 3 * i + 3).map((x) => [x.step, x.voice])).toEqual([
        [step, 1],
        [step, 2],
        [step, 3],
      ]);
      for (const row of a.layers) {
        expect(row.length).toBe(step - a.from + 1);
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 2);
      }
    });
    expect(t.tokens.some((x) => x.pitch !== null)).toBe(true);
  });

  it('a session’s track is a source: its link lists the tracks and explains the melody; no link → 401', async () => {
    const s = await createSessionWithLinks(server.url, 'explain');
    const client = await connect(server.wsUrl, s.id, s.editToken);
    const trackId = writeMelody(client.doc, 2);
    await new Promise((r) => setTimeout(r, 300));
    client.destroy();
    const view = { authorization: `Bearer ${s.viewToken}` };
    const tracks = await api<{ tracks: { id: string; notes: number }[] }>(`${server.url}/api/models/explain/sessions/${s.id}/tracks`, 'GET', undefined, view);
    expect(tracks.status).toBe(200);
    expect(tracks.body.tracks.find((t) => t.id === trackId)?.notes).toBe(8);
    const r = await post<ArcnnExplain>('arcnn', { source: { kind: 'session', sessionId: s.id, trackId }, iterations: 2 }, view);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body.melody.notes.map((n) => n.pitch)).toEqual([72, 74, 76, 77, 79, 77, 76, 74]);
    expect(r.body.melody.bars).toEqual([0, 2]);
    const denied = await post('arcnn', { source: { kind: 'session', sessionId: s.id, trackId } });
    expect(denied.status).toBe(401);
    const noTrack = await post<{ error: string }>('gan', { source: { kind: 'session', sessionId: s.id, trackId: 'nope' } }, view);
    expect(noTrack.status).toBe(404);
    expect(noTrack.body.error).toMatch(/no track "nope"/);
  });

  it('refuses bad requests with a clear error, and keeps serving', async () => {
    const unknown = await post<{ error: string; issues: string[] }>('arcnn', { source: { kind: 'builtin', melody: 'yesterday' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues.join(' ')).toMatch(/source\.melody/);
    const tooMany = await post<{ issues: string[] }>('arcnn', { source: { kind: 'notes', notes: Array.from({ length: 300 }, (_, i) => ({ pitch: 60, start: i * 120, duration: 120 })) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issues.join(' ')).toMatch(/source\.notes/);
    const wrongKnob = await post<{ error: string }>('gan', { source: { kind: 'builtin', melody: 'twinkle' }, iterations: 5 });
    expect(wrongKnob.status).toBe(400);
    expect(wrongKnob.body.error).toMatch(/AR-CNN knob/);
    const noModel = await post<{ error: string }>('wavenet', { source: { kind: 'builtin', melody: 'twinkle' } });
    expect(noModel.status).toBe(404);
    const notJson = await api(`${server.url}/api/models/gan/explain`, 'POST', '{not json', {});
    expect(notJson.status).toBe(400);
    const big = await api(`${server.url}/api/models/gan/explain`, 'POST', JSON.stringify({ pad: 'x'.repeat(40_000) }), {});
    expect(big.status).toBe(413);
    const ok = await post<GanExplain>('gan', { source: { kind: 'notes', notes: BUILTIN_MELODIES.twinkle.notes }, seeds: [5] });
    expect(ok.status).toBe(200);
    expect(ok.body.samples).toHaveLength(1);
  });
});
