// MIDI files ⇄ the shared Score: import for the editor and the model CLIs, export for download.
export { midiToScore, MAX_IMPORT_NOTES, MAX_IMPORT_TRACKS, MAX_TICK } from './import';
export { checkImportFits, inBatches, IMPORT_BATCH_NOTES, type SessionSize } from './import-plan';
export { scoreToMidi } from './export';
export { MidiImportError } from './errors';
export { instrumentFromMidi, INSTRUMENT_TO_PROGRAM, DRUM_CHANNEL } from './instruments';
