// A stable, random participant id for this browser: the key of the server's per-participant rate
// limit and how the AI panel recognises "my" jobs (to offer their one-step undo).
const KEY = 'tutti:participant';

export function participantId(): string {
  try {
    let id = window.localStorage.getItem(KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(12));
      id = Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'[b & 63]).join('');
      window.localStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    return 'anonymous-browser';
  }
}
