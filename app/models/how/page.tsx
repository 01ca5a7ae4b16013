// /models/how: "How it works" on the visitor's own melody (issue 18 item 2). The page is a shell;
// the views run the live models through the server's explain API when opened.
import Link from 'next/link';
import type { Metadata } from 'next';
import { HowItWorks } from './HowItWorks';
import '../models.css';
import './how.css';

export const metadata: Metadata = { title: 'How the models work — Tutti', description: 'Watch Tutti’s three models accompany a melody, step by step.' };

export default function HowPage() {
  return (
    <main className="models-page">
      <nav className="models-nav">
        <Link href="/">← Tutti</Link>
        <Link href="/models">The models</Link>
      </nav>
      <h1>How the models work</h1>
      <p className="muted">Choose a melody and watch each model accompany it, live: every picture below is drawn from what the model computes as you watch.</p>
      <HowItWorks />
    </main>
  );
}
