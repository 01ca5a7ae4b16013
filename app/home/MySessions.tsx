'use client';
// "My sessions" on the landing page (issue 16): the sessions this browser opened, newest visit
// first, with a small piano-roll thumbnail, title, last edit, people and note count. Search by
// title, open, remove from the list, and — for sessions this browser owns — delete for everyone.
import { useEffect, useMemo, useState } from 'react';
import { deleteSession } from '../editor/session/access';
import { decodeThumbnail, listRecent, ownsSession, removeRecent, type RecentSession } from './recent';
import './home.css';

function ago(ms: number): string {
  if (!ms) return '—';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

function Thumbnail({ thumb }: { thumb: string }) {
  const notes = decodeThumbnail(thumb);
  return (
    <svg className="home-thumb" viewBox="0 0 100 40" preserveAspectRatio="none" aria-hidden="true" data-testid="session-thumb" data-notes={notes.length}>
      <rect width="100" height="40" className="home-thumb-bg" />
      {notes.map((n, i) => (
        <rect key={i} x={n.x * 100} y={37 - n.y * 34} width={Math.max(0.8, n.w * 100)} height={2.2} rx={0.4} />
      ))}
    </svg>
  );
}

export function MySessions() {
  const [list, setList] = useState<RecentSession[] | null>(null);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setList(listRecent()), []);
  const shown = useMemo(() => (list ?? []).filter((s) => s.title.toLowerCase().includes(query.trim().toLowerCase())), [list, query]);
  if (!list || list.length === 0) return null;

  const remove = (id: string) => {
    removeRecent(id);
    setList(listRecent());
  };
  const destroy = async (s: RecentSession) => {
    const owner = ownsSession(s.id);
    if (!owner || !window.confirm(`Delete "${s.title}" for everyone? Its score and versions are gone for good.`)) return;
    try {
      await deleteSession(s.id, owner);
      remove(s.id);
    } catch (err) {
      setError(`Could not delete "${s.title}": ${(err as Error).message}`);
    }
  };

  return (
    <section className="home-sessions" data-testid="my-sessions" aria-label="My sessions">
      <div className="home-sessions-head">
        <h2>My sessions</h2>
        <input type="search" placeholder="Search by title" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="my-sessions-search" aria-label="Search sessions by title" />
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul>
        {shown.map((s) => (
          <li key={s.id} className="home-session" data-testid="my-session" data-id={s.id}>
            <a href={`/s/${encodeURIComponent(s.id)}`} className="home-session-open" data-testid="my-session-open">
              <Thumbnail thumb={s.thumb} />
              <span className="home-session-title">{s.title}</span>
              <span className="home-session-meta">
                Edited {ago(s.lastEdit)} · {s.people} {s.people === 1 ? 'person' : 'people'} · <span data-testid="my-session-notes">{s.noteCount.toLocaleString('en')}</span> notes
              </span>
            </a>
            <div className="home-session-actions">
              <button type="button" onClick={() => remove(s.id)} data-testid="my-session-remove" title="Remove from this list (the session stays)">
                Remove
              </button>
              {ownsSession(s.id) && (
                <button type="button" className="danger" onClick={() => void destroy(s)} data-testid="my-session-delete" title="Delete the session for everyone">
                  Delete
                </button>
              )}
            </div>
          </li>
        ))}
        {shown.length === 0 && <li className="home-session-none">No session titled like "{query}".</li>}
      </ul>
    </section>
  );
}
