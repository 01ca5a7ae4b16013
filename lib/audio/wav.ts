// WAV (RIFF/WAVE, 16-bit PCM) encoding of rendered audio, and the decoder the tests and the
// benchmark use to check what the editor exports.

/** Interleaves the channels into a 16-bit PCM WAV file. Samples outside -1..1 are clipped. */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number): Uint8Array {
  const nch = channels.length;
  if (nch < 1) throw new Error('encodeWav needs at least one channel');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new Error('encodeWav: channels differ in length');
  const dataBytes = frames * nch * 2;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const ascii = (at: number, s: string) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, nch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * nch * 2, true);
  v.setUint16(32, nch * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, dataBytes, true);
  let at = 44;
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < nch; c++) {
      const x = Math.max(-1, Math.min(1, channels[c]![i]!));
      v.setInt16(at, x < 0 ? Math.round(x * 0x8000) : Math.round(x * 0x7fff), true);
      at += 2;
    }
  return new Uint8Array(buf);
}

export interface DecodedWav {
  sampleRate: number;
  channels: Float32Array[];
  /** Seconds. */
  duration: number;
}

/** Decodes a 16-bit PCM WAV; throws on anything else (the only format encodeWav writes). */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let at = 12;
  let fmt: { nch: number; rate: number; bits: number; format: number } | null = null;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') fmt = { format: v.getUint16(body, true), nch: v.getUint16(body + 2, true), rate: v.getUint32(body + 4, true), bits: v.getUint16(body + 14, true) };
    if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before its fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16) throw new Error(`unsupported WAV format ${fmt.format}/${fmt.bits}-bit`);
      const frames = Math.floor(Math.min(size, bytes.length - body) / (2 * fmt.nch));
      const channels = Array.from({ length: fmt.nch }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) for (let c = 0; c < fmt.nch; c++) channels[c]![i] = v.getInt16(body + (i * fmt.nch + c) * 2, true) / 0x8000;
      return { sampleRate: fmt.rate, channels, duration: frames / fmt.rate };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Root-mean-square level of all channels between two times (seconds). */
export function rms(wav: DecodedWav, from: number, to: number): number {
  const a = Math.max(0, Math.floor(from * wav.sampleRate));
  let sum = 0;
  let n = 0;
  for (const ch of wav.channels) {
    const b = Math.min(ch.length, Math.floor(to * wav.sampleRate));
    for (let i = a; i < b; i++) sum += ch[i]! * ch[i]!;
    n += Math.max(0, b - a);
  }
  return n ? Math.sqrt(sum / n) : 0;
}
