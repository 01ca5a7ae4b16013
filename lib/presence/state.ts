// The presence (awareness) state one participant publishes: who they are, where their pointer is
// on the roll and which notes they have selected. The editor writes it and reads everyone's; the
// server refuses any state that does not fit this schema, is larger than MAX_PRESENCE_BYTES as
// JSON, or nests deeper than MAX_PRESENCE_DEPTH. Every field is optional: a stock y-protocols
// Awareness starts out as `{}`.
import { z } from 'zod';
import { MAX_PRESENCE_BYTES } from '../score/limits';

export { MAX_PRESENCE_BYTES };

/** Deepest nesting of arrays/objects a state may have (the schema needs 2). */
export const MAX_PRESENCE_DEPTH = 8;
/**
 * Selected note ids a state carries at most. Note ids are 12 characters, so 200 of them take
 * about 3,000 bytes and the state stays under MAX_PRESENCE_BYTES; a bigger selection is shown
 * to others by its first 200 notes.
 */
export const MAX_PRESENCE_SELECTION = 200;
export const MAX_PRESENCE_NAME = 40;
/** Held MIDI keys a state carries at most (two hands and a sustain pedal's worth). */
export const MAX_PRESENCE_KEYS = 32;

export const presenceStateSchema = z
  .object({
    user: z
      .object({
        name: z.string().max(MAX_PRESENCE_NAME * 2),
        color: z.string().max(16),
      })
      .partial()
      .strict(),
    cursor: z.object({ tick: z.number().finite(), pitch: z.number().finite() }).strict().nullable(),
    selection: z.array(z.string().max(64)).max(MAX_PRESENCE_SELECTION),
    /** MIDI pitches held on the participant's MIDI keyboard (shown on everyone's keyboard strip). */
    keys: z.array(z.number().int().min(0).max(127)).max(MAX_PRESENCE_KEYS),
  })
  .partial()
  .strict();
export type PresenceState = z.infer<typeof presenceStateSchema>;

/**
 * The deepest nesting of `[`/`{` in a JSON text, counted without parsing it (brackets inside
 * strings do not count), so a hostile `[[[[…` never reaches JSON.parse or JSON.stringify.
 * Stops counting once `limit` is exceeded.
 */
export function jsonDepth(json: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
