// A setup failure that vitest prints as the one line it is: no stack, since the message itself
// says what to install or set.
export function oneLine(message: string): Error {
  const err = new Error(message);
  err.stack = `Error: ${message}`;
  return err;
}
