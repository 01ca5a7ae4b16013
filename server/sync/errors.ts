// How the sync endpoint says no: websocket close codes and the error that carries one.
/** Close codes the server uses; 4000–4999 are application-defined in RFC 6455. */
export const CLOSE = {
  goingAway: 1001,
  tooBig: 1009,
  internalError: 1011,
  badMessage: 4400,
  unknownSession: 4404,
} as const;

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly closeCode: number = CLOSE.badMessage,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

