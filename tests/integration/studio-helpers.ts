// Shared by the model-studio integration tests: MIDI files written with @tonejs/midi (no binary
// fixtures), the multipart upload, and a reader of a training's Server-Sent Events.
import { expect } from 'vitest';
import type { UploadResponse } from '@/lib/ai/studio';
import { Midi } from '@/lib/midi/tonejs';

/** An 8-bar tune in `key` (semitones above C): a melody track in quarters and a bass track in halves. */
export function tune(key: number, drumsOnly = false, notes = 32): Uint8Array {
  const midi = new Midi();
  const scale = [0, 2, 4, 5, 7, 9, 11, 12];
  const mel = midi.addTrack();
  if (drumsOnly) {
    mel.channel = 9;
    for (let i = 0; i < notes; i++) mel.addNote({ midi: 36 + (i % 2) * 2, ticks: i * 480, durationTicks: 240 });
    return midi.toArray();
  }
  for (let i = 0; i < notes; i++) mel.addNote({ midi: 72 + key + scale[(i * 3) % 8]!, ticks: i * 480, durationTicks: 480, velocity: 0.8 });
  const bass = midi.addTrack();
  for (let i = 0; i < notes / 2; i++) bass.addNote({ midi: 48 + key + [0, 7, 5, 7][i % 4]!, ticks: i * 960, durationTicks: 960, velocity: 0.7 });
  return midi.toArray();
}

export async function upload(
  url: string,
  key: string,
  files: Array<[string, Uint8Array]>,
  name = 'folk',
): Promise<{ status: number; body: UploadResponse & { error?: string; code?: string; issues?: string[]; rejected: UploadResponse['rejected'] } }> {
  const form = new FormData();
  form.append('name', name);
  for (const [n, bytes] of files) form.append('files', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/midi' }), n);
  const res = await fetch(`${url}/api/studio/collections`, { method: 'POST', headers: { 'x-tutti-studio-key': key }, body: form });
  return { status: res.status, body: await res.json() };
}

/** Reads the training's Server-Sent Events until `end` (or `stopWhen`); returns the events in order. */
export async function readEvents(
  url: string,
  id: string,
  stopWhen: (events: Array<[string, unknown]>) => boolean = () => false,
  timeoutMs = 120_000,
): Promise<Array<[string, unknown]>> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const res = await fetch(`${url}/api/studio/trainings/${id}/events`, { signal: ctrl.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Array<[string, unknown]> = [];
  const reader = res.body!.getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push([event, JSON.parse(data)]);
      }
      if (events.some(([e]) => e === 'end') || stopWhen(events)) break;
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return events;
}
