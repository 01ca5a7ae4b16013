// `npm run bench:versions [-- --rounds N --versions V --postgres]`: issue 16's figures for a
// 10,000-note session on a real server (API + sync in this process, no Next; embedded database by
// default, PostgreSQL 127.0.0.1:5432 with --postgres) and real y-websocket clients:
//   storage_bytes_per_version     stored (deflated) size of one version; raw = the encoded Yjs state
//   save_version_ms_p50           POST a named version (read score, encode, insert)
//   history_list_ms_p50           GET /versions with V versions stored: what opening the panel waits for
//   preview_ms_p50                GET one version's stored bytes + inflate + decode on the client
//                                 (preview_fetch) + diff against the live score
//                                 and time indexes (preview_diff): what the panel does before drawing
//   restore_ms_p50                plan (restore_plan) + apply (restore_apply) a whole-score restore in
//                                 the browser's doc, one transaction
//   restore_seen_by_peer_ms_p50   from that apply until a second client holds the restored score
//   restore_server_ms_p50         POST /restore (server-side restore, flushed)
// The live score differs from the version in 2,000 notes (1,000 moved, 500 deleted, 500 added).
// Writes bench/results/versions.json with --write (else a temporary file it prints); the last line printed is one JSON object.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { NoteIndex } from '@/lib/editing';
import { addNotes, deleteNotes, notesMap, readNotes, readScore, readTracks, updateNotes, type Score } from '@/lib/score';
import { applyRestorePlan, diffNotes, planRestore, scoreFromState } from '@/lib/score/versions';
import { createSessionWithLinks, startInProcessServer, tempDataDir } from '../tests/helpers/server';
import { connectClient, pgSchemaUrl, requirePostgres, waitFor } from '../tests/integration/sync-helpers';
import { writeResult } from '../models/cli/result-file';

/**
 * fetch, retried once when the server closed a kept-alive socket just as it was reused (its 5 s
 * keep-alive timer can expire between two requests on a loaded machine: "other side closed").
 */
async function fetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await globalThis.fetch(url, init);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET' && (err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return globalThis.fetch(url, init);
  }
}

/** A synced client; a 10,000-note first sync on a loaded machine can take longer than the helper's 30 s. */
async function join(wsUrl: string, id: string) {
  const c = connectClient(wsUrl, id);
  c.synced.catch(() => {});
  await waitFor(() => c.provider.synced, 180_000, `sync of ${id}`);
  return c;
}

const flag = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};
const ROUNDS = flag('rounds', 7);
const VERSIONS = flag('versions', 50);
const NOTES = 10_000;
const POSTGRES = process.argv.includes('--postgres');

const p50 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.floor((s.length - 1) / 2)]! * 10) / 10 : NaN;
};
const shapeKey = (doc: Y.Doc) => readNotes(doc).map((n) => `${n.trackId}:${n.pitch}:${n.start}:${n.duration}:${n.velocity}`).sort().join();

async function main() {
  const pg = POSTGRES ? (await requirePostgres(), pgSchemaUrl('tutti_bench_versions')) : null;
  const server = await startInProcessServer({ dataDir: await tempDataDir(), databaseUrl: pg?.url, unloadDelayMs: 600_000, versions: { afterMs: 3_600_000, minIntervalMs: 3_600_000 } });
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  try {
    const s = await createSessionWithLinks(server.url, 'Bench versions');
    // The 10,000 notes are written on the server (as an import would leave them), then two people join.
    await server.rooms.withDoc(s.id, (doc) => {
      const trackId = readTracks(doc)[0]!.id;
      addNotes(doc, Array.from({ length: NOTES }, (_, i) => ({ trackId, pitch: 36 + (i * 7) % 60, start: i * 120, duration: 120 + (i % 4) * 60, velocity: 40 + (i % 80) })));
    }, { flush: true });
    const a = await join(server.wsUrl, s.id);
    const b = await join(server.wsUrl, s.id);
    const trackId = readTracks(a.doc)[0]!.id;
    await waitFor(() => notesMap(a.doc).size === NOTES && notesMap(b.doc).size === NOTES, 120_000, 'A and B to hold 10,000 notes');

    // Storage and save time.
    const saveMs: number[] = [];
    const sizes: number[] = [];
    let versionId = '';
    for (let i = 0; i < VERSIONS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/sessions/${s.id}/versions`, { method: 'POST', headers: { ...auth(s.editToken), 'content-type': 'application/json' }, body: JSON.stringify({ name: `v${i}` }) });
      const { version } = (await res.json()) as { version: { id: string; bytes: number } };
      saveMs.push(performance.now() - t0);
      sizes.push(version.bytes);
      if (i === 0) versionId = version.id;
    }
    const docBytes = Y.encodeStateAsUpdate(a.doc).length;

    // Opening the history panel: the list route with VERSIONS versions.
    const listMs: number[] = [];
    for (let i = 0; i < ROUNDS * 3; i++) {
      const t0 = performance.now();
      const r = await fetch(`${server.url}/api/sessions/${s.id}/versions`, { headers: auth(s.viewToken) });
      await r.json();
      listMs.push(performance.now() - t0);
    }

    // Make the live score differ from the version in 2,000 notes.
    const live = readNotes(a.doc);
    updateNotes(a.doc, new Map(live.slice(0, 1000).map((n) => [n.id, { start: n.start + 60 }])));
    deleteNotes(a.doc, live.slice(1000, 1500).map((n) => n.id));
    addNotes(a.doc, Array.from({ length: 500 }, (_, k) => ({ trackId, pitch: 100, start: k * 240, duration: 60, velocity: 64 })));
    await waitFor(() => notesMap(b.doc).size === NOTES && shapeKey(a.doc) === shapeKey(b.doc), 120_000, 'B to see the edits');
    const edited = shapeKey(a.doc);

    const previewMs: number[] = [];
    const fetchMs: number[] = [];
    const diffMs: number[] = [];
    const planMs: number[] = [];
    const applyMs: number[] = [];
    const restoreMs: number[] = [];
    const seenMs: number[] = [];
    const serverMs: number[] = [];
    const origin = { user: a.doc.clientID };
    const undo = new Y.UndoManager([a.doc.getMap('notes'), a.doc.getMap('tracks'), a.doc.getMap('meta')], { trackedOrigins: new Set([origin]) });
    for (let r = 0; r < ROUNDS; r++) {
      // The editor holds the live score parsed already (ScoreStore); read it outside the timings.
      const liveScore = readScore(a.doc);
      // Preview: fetch + parse, then diff against the live score + time indexes (what the panel does before drawing).
      const t0 = performance.now();
      // As the editor does: the stored bytes, inflated and decoded on the client.
      const stored = await fetch(`${server.url}/api/sessions/${s.id}/versions/${versionId}?format=yjs`, { headers: auth(s.viewToken) });
      const got = { score: scoreFromState(new Uint8Array(await new Response(stored.body!.pipeThrough(new DecompressionStream('deflate-raw'))).arrayBuffer())) as Score };
      const tf = performance.now();
      const d = diffNotes(got.score.notes, liveScore.notes);
      new NoteIndex([...liveScore.notes, ...d.removed]);
      new NoteIndex(got.score.notes);
      const td = performance.now();
      fetchMs.push(tf - t0);
      diffMs.push(td - tf);
      previewMs.push(td - t0);

      // Restore in the browser's doc: plan, then one transaction; then until the peer has it.
      const target = got.score.notes.map((n) => `${n.trackId}:${n.pitch}:${n.start}:${n.duration}:${n.velocity}`).sort().join();
      undo.stopCapturing();
      const t1 = performance.now();
      const plan = planRestore(liveScore, got.score);
      const tp = performance.now();
      applyRestorePlan(a.doc, plan, origin);
      const t2 = performance.now();
      planMs.push(tp - t1);
      applyMs.push(t2 - tp);
      restoreMs.push(t2 - t1);
      let seen = 0;
      const onB = () => {
        if (!seen && notesMap(b.doc).size === got.score.notes.length && shapeKey(b.doc) === target) seen = performance.now();
      };
      b.doc.on('afterTransaction', onB);
      onB();
      await waitFor(() => seen > 0, 120_000, 'B to hold the restored score');
      b.doc.off('afterTransaction', onB);
      seenMs.push(seen - t2);
      // Back to the edited score with one undo (and check it really is the edited score).
      undo.undo();
      if (shapeKey(a.doc) !== edited) throw new Error('undo did not bring the edited score back');
      await waitFor(() => shapeKey(b.doc) === edited, 120_000, 'B to see the undo');

      // The server-side restore route, then undo it from A's side by restoring A's edited state.
      const t3 = performance.now();
      const res = await fetch(`${server.url}/api/sessions/${s.id}/versions/${versionId}/restore`, { method: 'POST', headers: { ...auth(s.editToken), 'content-type': 'application/json' }, body: '{}' });
      if (res.status !== 200) throw new Error(`restore → ${res.status}`);
      serverMs.push(performance.now() - t3);
      await waitFor(() => shapeKey(a.doc) === target, 120_000, 'A to see the server restore');
      undo.stopCapturing();
      // Re-apply the 2,000-note difference for the next round.
      const moved = new Set(live.slice(0, 1000).map((n) => n.id));
      updateNotes(a.doc, new Map(readNotes(a.doc).filter((n) => moved.has(n.id)).map((n) => [n.id, { start: n.start + 60 }])));
      deleteNotes(a.doc, live.slice(1000, 1500).map((n) => n.id));
      addNotes(a.doc, Array.from({ length: 500 }, (_, k) => ({ trackId, pitch: 100, start: k * 240, duration: 60, velocity: 64 })));
      undo.clear();
      await waitFor(() => shapeKey(b.doc) === shapeKey(a.doc), 120_000, 'B to see the edits again');
    }

    const result = {
      bench: 'versions',
      database: POSTGRES ? 'postgres' : 'embedded',
      notes: NOTES,
      versions_stored: VERSIONS,
      rounds: ROUNDS,
      load1: Math.round(os.loadavg()[0]! * 10) / 10,
      cpus: os.cpus().length,
      storage_bytes_per_version: p50(sizes),
      storage_raw_bytes_per_version: docBytes,
      save_version_ms_p50: p50(saveMs),
      history_list_ms_p50: p50(listMs),
      preview_ms_p50: p50(previewMs),
      preview_fetch_ms_p50: p50(fetchMs),

      preview_diff_ms_p50: p50(diffMs),
      restore_ms_p50: p50(restoreMs),
      restore_plan_ms_p50: p50(planMs),
      restore_apply_ms_p50: p50(applyMs),
      restore_seen_by_peer_ms_p50: p50(seenMs),
      restore_server_ms_p50: p50(serverMs),
    };
    writeResult(path.resolve(import.meta.dirname, `results/versions${POSTGRES ? '-postgres' : ''}.json`), JSON.stringify(result, null, 2) + '\n');
    a.destroy();
    b.destroy();
    console.log(JSON.stringify(result));
  } finally {
    await server.close();
    await pg?.drop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
