// /models/train: "Train your own" (issue 18 item 3). The page is a shell: the form, the live view of
// one training (?training=<id>, a link anyone can open to watch it) and the latest trainings all
// talk to the studio API from the browser (lib/ai/studio.ts, /api/studio/...).
import Link from 'next/link';
import type { Metadata } from 'next';
import { LiveTraining } from './LiveTraining';
import { RecentTrainings } from './RecentTrainings';
import { TrainForm } from './TrainForm';
import '../models.css';
import './train.css';

export const metadata: Metadata = {
  title: 'Train a model — Tutti',
  description: 'Train your own GAN, AR-CNN or transformer from the browser and use it in a session.',
};

export default async function TrainPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const training = typeof q.training === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(q.training) ? q.training : null;
  return (
    <main className="models-page train-page">
      <nav className="models-nav">
        <Link href="/">← Tutti</Link>
        <Link href="/models">The models</Link>
        {training && <Link href="/models/train">Train another</Link>}
      </nav>
      <h1>Train your own model</h1>
      <p className="muted">
        Pick a model and its settings, train it on Bach’s chorales or on MIDI files of your own, and watch it learn. The finished model appears in every
        session’s AI panel under the name you give it.
      </p>
      {training ? <LiveTraining key={training} id={training} /> : <TrainForm />}
      <h2>Latest trainings</h2>
      <RecentTrainings current={training} />
    </main>
  );
}
