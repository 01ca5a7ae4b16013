'use client';
// Choosing a collection of MIDI files to train on: several files at once, each shown with its
// verdict — accepted (notes, length, tracks as the server read them) or rejected with the server's
// reason. Files over the per-file cap are refused here before sending (the server would refuse them
// too; sending them could push the whole request over its cap). The caps are the contract's.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../editor/csp).
import '../../editor/csp';
import { useId, useState } from 'react';
import { UPLOAD_LIMITS, type Collection, type RejectedFile, type UploadedFile } from '@/lib/ai/studio';
import { StudioApiError, uploadCollection } from '../studio-api';

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB` : `${Math.round(n / 1024)} KB`);

type Row = { name: string; bytes: number } & (
  | { state: 'sending' }
  | { state: 'accepted'; file: UploadedFile }
  | { state: 'rejected'; reason: string; code: string }
);

export const UPLOAD_CAPS_TEXT = `MIDI files (.mid), up to ${UPLOAD_LIMITS.files} files, ${kb(UPLOAD_LIMITS.fileBytes)} each, ${kb(UPLOAD_LIMITS.totalBytes)} in all; each needs at least ${UPLOAD_LIMITS.minNotes} notes and at most ${UPLOAD_LIMITS.maxSteps / 16} bars of 4/4.`;

export function UploadPicker({ name, onCollection }: { name: string; onCollection: (c: Collection | null) => void }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [collection, setCollection] = useState<Collection | null>(null);
  const inputId = useId();

  const choose = async (list: FileList | null) => {
    const files = [...(list ?? [])];
    if (!files.length) return;
    setError(null);
    setCollection(null);
    onCollection(null);
    const local: Row[] = files.map((f, i) =>
      i >= UPLOAD_LIMITS.files
        ? { name: f.name, bytes: f.size, state: 'rejected', code: 'too_many_files', reason: `only ${UPLOAD_LIMITS.files} files per collection` }
        : f.size > UPLOAD_LIMITS.fileBytes
          ? { name: f.name, bytes: f.size, state: 'rejected', code: 'too_large', reason: `${kb(f.size)}: over the ${kb(UPLOAD_LIMITS.fileBytes)} cap per file` }
          : { name: f.name, bytes: f.size, state: 'sending' },
    );
    setRows(local);
    const send = files.filter((_, i) => local[i]!.state === 'sending');
    if (!send.length) return;
    const verdict = (accepted: readonly UploadedFile[], rejected: readonly RejectedFile[]) =>
      local.map((r): Row => {
        if (r.state !== 'sending') return r;
        const bad = rejected.find((x) => x.name === r.name);
        if (bad) return { name: r.name, bytes: r.bytes, state: 'rejected', code: bad.code, reason: bad.reason };
        const ok = accepted.find((x) => x.name === r.name);
        return ok
          ? { name: r.name, bytes: r.bytes, state: 'accepted', file: ok }
          : { name: r.name, bytes: r.bytes, state: 'rejected', code: 'unknown', reason: 'the server did not report on this file' };
      });
    try {
      const res = await uploadCollection(send, name);
      setRows(verdict(res.accepted, res.rejected));
      setCollection(res.collection);
      onCollection(res.collection);
    } catch (e) {
      if (e instanceof StudioApiError && e.rejected.length) setRows(verdict([], e.rejected));
      else
        setRows(
          local.map((r) =>
            r.state === 'sending' ? { name: r.name, bytes: r.bytes, state: 'rejected', code: 'not_sent', reason: 'not uploaded (see the error below)' } : r,
          ),
        );
      // Every file rejected: the table says why for each; the issues would only repeat it.
      setError(e instanceof StudioApiError ? (e.rejected.length ? e.message : [e.message, ...e.issues].join(' — ')) : String(e));
    }
  };

  const accepted = rows.filter((r) => r.state === 'accepted').length;
  return (
    <div className="upload" data-testid="upload">
      <label htmlFor={inputId}>MIDI files</label>{' '}
      <input
        id={inputId}
        type="file"
        multiple
        accept=".mid,.midi,audio/midi,audio/x-midi"
        data-testid="upload-input"
        onChange={(e) => void choose(e.target.files)}
      />
      <p className="muted" data-testid="upload-caps">
        {UPLOAD_CAPS_TEXT}
      </p>
      {rows.length > 0 && (
        <table className="upload-files" data-testid="upload-files">
          <thead>
            <tr>
              <th>file</th>
              <th>size</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={`${i}-${r.name}`} data-testid="upload-file" data-name={r.name} data-state={r.state}>
                <td>{r.name}</td>
                <td>{kb(r.bytes)}</td>
                <td className={r.state}>
                  {r.state === 'sending'
                    ? 'checking…'
                    : r.state === 'accepted'
                      ? `accepted: ${r.file.notes} notes, ${Math.ceil(r.file.steps / 16)} bars, ${r.file.tracks} track${r.file.tracks === 1 ? '' : 's'}`
                      : `rejected: ${r.reason}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {collection && (
        <p data-testid="upload-collection" data-collection-id={collection.id}>
          Collection “{collection.name}”: {accepted} file{accepted === 1 ? '' : 's'} to train on.
        </p>
      )}
      {error && (
        <p className="problems" role="alert" data-testid="upload-error">
          {error}
        </p>
      )}
    </div>
  );
}
