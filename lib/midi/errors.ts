// The one error MIDI import throws: its message is shown to the user as is, so it says what is wrong
// with the file in plain words and never leaks a parser stack.
export class MidiImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MidiImportError';
  }
}
