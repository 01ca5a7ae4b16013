// MIDI uploads for the model studio (issue 18): a multipart request of files, each checked on its
// own — a MIDI file (parsed by lib's MIDI import, @tonejs/midi underneath), not empty, under the
// per-file cap, with enough pitched notes, not too long — and a clear reason for each one
// refused. The accepted ones are kept under TUTTI_MODELS_DIR/uploads/<id> with their collection row.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { UPLOAD_LIMITS, type RejectedFile, type UploadedFile } from '../../lib/ai/studio';
import { midiToScore, MidiImportError } from '../../lib/midi';
import type { Score } from '../../lib/score';
import { pitchedNotes, scoreToVoices } from '../../models/studio/dataset';
import { HttpError } from '../http/json';

export interface UploadPart {
  name: string;
  bytes: Uint8Array;
}

/** The request body up to the total cap (a little more for the multipart framing); past it, 413 before reading on. */
export async function readUpload(
  req: IncomingMessage,
  totalBytes: number = UPLOAD_LIMITS.totalBytes,
): Promise<{ parts: UploadPart[]; fields: Record<string, string> }> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type))
    throw new HttpError(400, 'send the MIDI files as multipart/form-data (one "files" field per file)', 'invalid_request');
  const cap = totalBytes + 64 * 1024;
  const tooLarge = () => new HttpError(413, `the upload is over ${Math.round(totalBytes / 1024 / 1024)} MB in total; send fewer or smaller files`, 'too_large');
  if (Number(req.headers['content-length'] ?? 0) > cap) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) throw tooLarge();
    chunks.push(chunk);
  }
  let form: FormData;
  try {
    form = await new Request('http://upload/', { method: 'POST', headers: { 'content-type': type }, body: Buffer.concat(chunks) }).formData();
  } catch {
    throw new HttpError(400, 'the upload is not readable multipart/form-data', 'invalid_request');
  }
  const parts: UploadPart[] = [];
  const fields: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') fields[key] = value;
    else if (key === 'files' || key === 'file')
      parts.push({ name: value.name || `file-${parts.length + 1}.mid`, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return { parts, fields };
}

/** A file name safe to show and to log: its base name, printable, at most 120 characters. */
const displayName = (name: string): string =>
  path
    .basename(name.replace(/\\/g, '/'))
    .replace(/[^\p{L}\p{N} ._()[\]-]/gu, '_')
    .slice(0, 120) || 'unnamed.mid';

export interface CheckedFile {
  entry: UploadedFile;
  bytes: Uint8Array;
  score: Score;
}

/** Checks every part on its own; one bad file never refuses the others. */
export function checkFiles(parts: readonly UploadPart[]): { accepted: CheckedFile[]; rejected: RejectedFile[] } {
  const accepted: CheckedFile[] = [];
  const rejected: RejectedFile[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const name = displayName(part.name);
    const reject = (code: RejectedFile['code'], reason: string) => rejected.push({ name, code, reason });
    if (accepted.length >= UPLOAD_LIMITS.files) {
      reject('too_many_files', `a collection holds at most ${UPLOAD_LIMITS.files} files`);
      continue;
    }
    if (part.bytes.length === 0) {
      reject('empty', 'the file is empty');
      continue;
    }
    if (part.bytes.length > UPLOAD_LIMITS.fileBytes) {
      reject('too_large', `the file is ${Math.ceil(part.bytes.length / 1024)} KB; each file may be at most ${UPLOAD_LIMITS.fileBytes / 1024} KB`);
      continue;
    }
    const hash = crypto.createHash('sha256').update(part.bytes).digest('hex');
    if (seen.has(hash)) {
      reject('duplicate', 'the same file is already in this upload');
      continue;
    }
    let score: Score;
    try {
      score = midiToScore(part.bytes);
    } catch (e) {
      reject('not_midi', e instanceof MidiImportError ? e.message : `the file cannot be read as MIDI (${(e as Error).message})`);
      continue;
    }
    const notes = pitchedNotes(score);
    if (notes < UPLOAD_LIMITS.minNotes) {
      reject(
        'no_melody',
        notes === 0
          ? 'the file has no pitched notes (only drums, or no notes at all)'
          : `the file has only ${notes} pitched notes; at least ${UPLOAD_LIMITS.minNotes} are needed to learn from`,
      );
      continue;
    }
    const voices = scoreToVoices(score);
    if (voices.length > UPLOAD_LIMITS.maxSteps) {
      reject('too_long', `the music lasts ${Math.ceil(voices.length / 16)} bars; at most ${UPLOAD_LIMITS.maxSteps / 16} bars per file`);
      continue;
    }
    seen.add(hash);
    accepted.push({ entry: { name, bytes: part.bytes.length, notes, steps: voices.length, tracks: score.tracks.length }, bytes: part.bytes, score });
  }
  return { accepted, rejected };
}

/** Writes the accepted files as <n>.mid under `dir`; returns the file name of each. */
export function storeFiles(dir: string, files: readonly CheckedFile[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return files.map((f, i) => {
    const file = `${i}.mid`;
    fs.writeFileSync(path.join(dir, file), f.bytes);
    return file;
  });
}
