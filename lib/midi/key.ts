// Key signatures as MIDI stores them (sharps −7..7 + major/minor) ⇄ Tutti's "F# minor" strings.
// Done here rather than by @tonejs/midi because its encoder writes the sharps count off by 7 and
// its decoder names minor keys by their relative major.
const MAJOR = ['Cb', 'Gb', 'Db', 'Ab', 'Eb', 'Bb', 'F', 'C', 'G', 'D', 'A', 'E', 'B', 'F#', 'C#'];
const MINOR = ['Ab', 'Eb', 'Bb', 'F', 'C', 'G', 'D', 'A', 'E', 'B', 'F#', 'C#', 'G#', 'D#', 'A#'];
const PC: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

function pitchClass(name: string): number {
  const base = PC[name[0]!] ?? 0;
  const acc = name[1] === '#' ? 1 : name[1] === 'b' ? -1 : 0;
  return (base + acc + 12) % 12;
}

export function keyFromSharps(sharps: number, minor: boolean): string | null {
  if (!Number.isInteger(sharps) || sharps < -7 || sharps > 7) return null;
  return `${(minor ? MINOR : MAJOR)[sharps + 7]} ${minor ? 'minor' : 'major'}`;
}

/** Sharps count for a key like "Db major"; enharmonic spellings pick the signature with fewest accidentals. */
export function sharpsFromKey(key: string): { sharps: number; minor: boolean } | null {
  const m = /^([A-G][#b]?) (major|minor)$/.exec(key);
  if (!m) return null;
  const minor = m[2] === 'minor';
  const pc = pitchClass(m[1]!);
  let best: number | null = null;
  (minor ? MINOR : MAJOR).forEach((name, i) => {
    if (pitchClass(name) === pc && (best === null || Math.abs(i - 7) < Math.abs(best))) best = i - 7;
  });
  return best === null ? null : { sharps: best, minor };
}

/** @tonejs/midi's decoded key name (a major-key name indexed by sharps) back to the sharps count. */
export function sharpsFromToneKey(toneKey: string): number | null {
  const i = MAJOR.indexOf(toneKey);
  return i < 0 ? null : i - 7;
}
