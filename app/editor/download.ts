// Saving generated files (MIDI, WAV) from the browser under the session's title.

/** A file name made from the session title: "My song" → "My song", nothing usable → "tutti". */
export function fileBaseName(title: string): string {
  return title.replace(/[^\w\- ]+/g, '').trim() || 'tutti';
}

export function downloadBytes(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}
