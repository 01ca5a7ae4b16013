// Builds Standard MIDI Files in memory for tests that need sizes no fixture should be committed at
// (100,000 notes, 3,000 tracks) or values the @tonejs/midi writer cannot produce (ticks past 2^31).
// Encoded here, linearly: midi-file's writer concatenates its whole buffer on every write (quadratic),
// which made building a 200,001-note file take seconds (the bytes were checked equal to its output).

export interface SmfNote {
  tick: number;
  pitch: number;
  duration: number;
}

/** A format-1 file at `ppq` ticks per quarter, one MTrk per entry of `tracks` (channel = index % 16). */
export function buildSmf(tracks: SmfNote[][], ppq = 480): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const ascii = (s: string) => out.push(...Array.from(s, (c) => c.charCodeAt(0)));
  ascii('MThd');
  u32(6);
  out.push(0, 1, (tracks.length >> 8) & 0xff, tracks.length & 0xff, (ppq >> 8) & 0xff, ppq & 0xff);
  tracks.forEach((notes, i) => {
    const channel = i % 16 === 9 ? 0 : i % 16; // keep off the drum channel
    const events: { at: number; status: number; pitch: number; velocity: number }[] = [];
    for (const n of notes) {
      events.push({ at: n.tick, status: 0x90 | channel, pitch: n.pitch, velocity: 90 });
      events.push({ at: n.tick + n.duration, status: 0x80 | channel, pitch: n.pitch, velocity: 0 });
    }
    events.sort((a, b) => a.at - b.at);
    const body: number[] = [];
    let last = 0;
    for (const e of events) {
      varInt(body, e.at - last);
      body.push(e.status, e.pitch, e.velocity);
      last = e.at;
    }
    body.push(0, 0xff, 0x2f, 0); // end of track
    ascii('MTrk');
    u32(body.length);
    for (const b of body) out.push(b);
  });
  return Uint8Array.from(out);
}

/** A MIDI variable-length quantity: 7 bits a byte, most significant first, high bit = more follows. */
function varInt(out: number[], v: number): void {
  const bytes = [v & 0x7f];
  for (v >>>= 7; v; v >>>= 7) bytes.push((v & 0x7f) | 0x80);
  for (let i = bytes.length - 1; i >= 0; i--) out.push(bytes[i]!);
}

/** `count` notes spread over `tracks` tracks: a steady stream of sixteenths, pitches 48–83. */
export function manyNotes(count: number, tracks = 1): SmfNote[][] {
  const out: SmfNote[][] = Array.from({ length: tracks }, () => []);
  for (let i = 0; i < count; i++) out[i % tracks]!.push({ tick: Math.floor(i / tracks) * 120, pitch: 48 + (i % 36), duration: 110 });
  return out;
}
