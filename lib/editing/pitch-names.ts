// Note names as a musician reads them in the session's key: flats in flat keys (B♭ in F major,
// E♭ in C minor), sharps otherwise. C major / A minor use sharps, as most DAWs do.

const SHARP = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];
const FLAT = ['C', 'D♭', 'D', 'E♭', 'E', 'F', 'G♭', 'G', 'A♭', 'A', 'B♭', 'B'];
// Keys whose signature has flats (F major/D minor and every key with a ♭ in its name, plus the
// minor keys relative to flat majors).
const FLAT_MAJOR = new Set(['F', 'Bb', 'Eb', 'Ab', 'Db', 'Gb', 'Cb']);
const FLAT_MINOR = new Set(['D', 'G', 'C', 'F', 'Bb', 'Eb', 'Ab']);

/** True when the key ("Eb major", "G minor", ...) is written with flats. */
export function usesFlats(key: string | null | undefined): boolean {
  const m = /^([A-G][#b]?) (major|minor)$/.exec(key ?? '');
  if (!m) return false;
  return (m[2] === 'minor' ? FLAT_MINOR : FLAT_MAJOR).has(m[1]!);
}

/** "E♭4" for MIDI 63 in a flat key, "D♯4" otherwise (octave 4 holds middle C, MIDI 60). */
export function pitchName(pitch: number, key?: string | null): string {
  const names = usesFlats(key) ? FLAT : SHARP;
  return `${names[((pitch % 12) + 12) % 12]}${Math.floor(pitch / 12) - 1}`;
}
