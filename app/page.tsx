'use client';
// Landing page: what Tutti is, and one button ("New session") that asks the server for a fresh
// session and opens it. Errors are shown, not swallowed.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { rememberOwnerToken } from './editor/session/access';
import { MySessions } from './home/MySessions';

function NewSessionButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (res.status !== 201) throw new Error(`the server answered ${res.status}`);
      const { id, editUrl, ownerToken } = (await res.json()) as { id: string; editUrl: string; ownerToken: string };
      // Only this browser keeps the owner token (rotate links, delete the session).
      rememberOwnerToken(id, ownerToken);
      // Same origin as this page (localStorage is per origin), even when PUBLIC_URL names another host.
      const link = new URL(editUrl);
      router.push(`${link.pathname}${link.hash}`);
    } catch (err) {
      setError(`Could not create a session: ${(err as Error).message}`);
      setBusy(false);
    }
  }

  return (
    <div className="new-session">
      <button type="button" className="primary" onClick={create} disabled={busy} data-testid="new-session">
        {busy ? 'Creating…' : 'New session'}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}


export default function Home() {
  return (
    <main className="landing">
      <h1>Tutti</h1>
      <p className="tagline">Compose music together, in real time.</p>
      <ul className="features">
        <li>Open one link with your friends and draw notes on a shared piano roll.</li>
        <li>Hear it play in the browser while everyone edits.</li>
        <li>Ask the AI for accompaniment: a GAN, an AR-CNN and a transformer trained on Bach chorales.</li>
      </ul>
      <p className="hint">
        <a href="/models" data-testid="models-link">The models</a>: how each was trained, its curves, and its figures next to Bach’s.
      </p>
      <NewSessionButton />
      <p className="hint">Share the edit link with anyone you want to compose with, or the view link with anyone who should only listen.</p>
      <MySessions />
    </main>
  );
}
