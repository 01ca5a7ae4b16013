// midi-file (the parser under @tonejs/midi) is CommonJS; this gives ESM and bundler callers one shape.
import * as mod from 'midi-file';

type MidiFile = typeof import('midi-file');
const ns = mod as unknown as MidiFile & { default?: MidiFile };

export const parseMidi: MidiFile['parseMidi'] = ns.parseMidi ?? ns.default!.parseMidi;
export const writeMidi: MidiFile['writeMidi'] = ns.writeMidi ?? ns.default!.writeMidi;
