'use client';
// The GAN: the generator's accompaniment of the chosen melody for a few noise seeds side by side,
// each with the critic's score, next to the critic's score of a real Bach chorale.
import type { GanExplain } from '@/lib/ai/explain';
import { Roll } from './Roll';

export function GanView({ data, ticksPerBar }: { data: GanExplain; ticksPerBar: number }) {
  const [from, to] = data.melody.bars;
  const scores = [...data.samples.map((s) => s.critic), data.real.critic];
  // Only differences mean something: the bars start a little below the lowest score.
  const hi = Math.max(...scores);
  const lo = Math.min(...scores) - Math.max(0.05, 0.5 * (hi - Math.min(...scores)));
  const bar = (v: number) => ({ left: '0%', width: `${((v - lo) / (hi - lo)) * 100}%` });
  const realEnd = Math.max(...data.real.notes.map((n) => n.start + n.duration));
  return (
    <div data-testid="gan-view">
      <div className="gan-grid">
        {data.samples.map((s) => (
          <figure key={s.seed} className="gan-card" data-testid="gan-sample" data-critic={s.critic}>
            <figcaption>
              Noise seed {s.seed} · critic <strong>{s.critic.toFixed(2)}</strong>
            </figcaption>
            <Roll notes={[...data.melody.notes, ...s.notes]} startTick={from * ticksPerBar} endTick={to * ticksPerBar} ticksPerBar={ticksPerBar} label={`GAN output for noise seed ${s.seed}`} height={150} />
          </figure>
        ))}
        <figure className="gan-card real" data-testid="gan-real" data-critic={data.real.critic}>
          <figcaption>
            Bach: {data.real.title} · critic <strong>{data.real.critic.toFixed(2)}</strong>
          </figcaption>
          <Roll notes={data.real.notes} startTick={0} endTick={realEnd} ticksPerBar={1920} label="A real chorale, all four voices" height={150} />
        </figure>
      </div>
      <div className="critic-bars" aria-label="critic scores">
        {[...data.samples.map((s) => ({ name: `seed ${s.seed}`, v: s.critic, real: false })), { name: 'Bach', v: data.real.critic, real: true }].map((r) => (
          <div key={r.name} className="critic-row">
            <span>{r.name}</span>
            <div className="critic-track">
              <div className={r.real ? 'critic-fill real' : 'critic-fill'} style={bar(r.v)} />
            </div>
            <span>{r.v.toFixed(2)}</span>
          </div>
        ))}
      </div>
      <p className="muted small">
        The critic’s scores have no fixed scale: only the differences mean something (higher = more like the chorales it was shown). It reads {data.criticBars}
        -bar windows; a longer melody is scored window by window and averaged. {data.criticNote}. {data.ms.toLocaleString('en')} ms on the server.
      </p>
    </div>
  );
}
