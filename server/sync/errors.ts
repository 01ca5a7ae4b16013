// How the sync endpoint says no: websocket close codes and the error that carries one.
/** Close codes the server uses (lib/sync/close-codes.ts: shared with the editor, which explains them). */
import { CLOSE } from '@/lib/sync/close-codes';
export { CLOSE };

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly closeCode: number = CLOSE.badMessage,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

