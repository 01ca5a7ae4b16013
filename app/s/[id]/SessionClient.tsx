'use client';
// Loads the editor on the client only; Tone.js and the canvas code never run on the server.
import dynamic from 'next/dynamic';

const SessionEditor = dynamic(() => import('@/app/editor/SessionEditor'), {
  ssr: false,
  loading: () => <div className="tt-loading-shell">Opening session…</div>,
});

export default function SessionClient({ sessionId }: { sessionId: string }) {
  return <SessionEditor sessionId={sessionId} />;
}
