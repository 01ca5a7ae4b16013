// /s/<id>: the shared editor for one session. The editor is browser-only (canvas, Web Audio,
// IndexedDB, websockets), so the server renders just the shell.
import type { Metadata } from 'next';
import SessionClient from './SessionClient';

export const metadata: Metadata = { title: 'Tutti — session' };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SessionClient sessionId={id} />;
}
