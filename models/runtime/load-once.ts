// A lazy loader: the first call starts the load, later calls share its promise. By default a
// failed load is forgotten so the next call tries again (weights may appear after a failed start);
// `keepFailure` keeps the failure too, until `reset()`. `reset()` forgets the load (done, failed or
// under way): the next call starts a new one (a disposed model, a worker that exited).

export interface Loader<T> {
  (): Promise<T>;
  reset(): void;
}

export function loadOnce<T>(load: () => Promise<T>, opts: { keepFailure?: boolean } = {}): Loader<T> {
  let pending: Promise<T> | null = null;
  const get = (): Promise<T> => {
    if (!pending) {
      const p = load();
      pending = p;
      p.catch(() => {
        if (!opts.keepFailure && pending === p) pending = null;
      });
    }
    return pending;
  };
  return Object.assign(get, {
    reset() {
      pending = null;
    },
  });
}
