// A process-wide lazy loader: the first call starts the load, later calls share its promise, and a
// failed load is forgotten so the next call tries again (weights may appear after a failed start).

export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    if (!pending) {
      const p = load();
      pending = p;
      p.catch(() => {
        if (pending === p) pending = null;
      });
    }
    return pending;
  };
}
