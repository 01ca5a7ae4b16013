// Last line of defence for the server process: a promise rejection nobody handled, or an
// exception thrown from a callback, is logged and the process keeps serving everyone else.
// Node's default is to exit on both, which lets one bad frame take down every session. The
// code paths we know of handle their errors themselves; this catches the ones we do not know.
export function installProcessGuards(log: (msg: string, err: unknown) => void): void {
  process.on('unhandledRejection', (reason) => log('[process] unhandled promise rejection (the server keeps running)', reason));
  process.on('uncaughtException', (err, origin) => log(`[process] uncaught exception from ${origin} (the server keeps running)`, err));
}
