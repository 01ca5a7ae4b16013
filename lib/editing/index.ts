// Pure editing logic for the piano roll: grid/snap, note operations, selection, coordinates, indexing.
export * from './grid';
export * from './ops';
export * from './selection';
export * from './viewport';
export * from './note-index';
export * from './pitch-names';
export * from './record';
