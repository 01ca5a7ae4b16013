'use client';
// One training curve chart (recharts): the rows come from the server (app/models/curves.ts), already
// thinned. Real-chorale reference series are dashed. No animation: the chart is a record, and the
// page's load-time bench measures when the curves are drawn, not when an animation ends.
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Chart } from './curves';

const COLORS = ['#ffc914', '#4fc3f7', '#ff6b6b', '#81c784', '#ba68c8', '#ffb74d', '#90a4ae', '#f06292'];

const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3)) : String(v));

export function CurveChart({ chart }: { chart: Chart }) {
  return (
    <figure className="curve" data-testid="curve-chart" data-chart={chart.id}>
      <figcaption>{chart.title}</figcaption>
      <LineChart width={460} height={250} data={chart.rows} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
        <CartesianGrid stroke="#2c3040" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} stroke="#9aa0b0" tick={{ fontSize: 11 }} />
        <YAxis stroke="#9aa0b0" tick={{ fontSize: 11 }} tickFormatter={fmt} width={48} domain={['auto', 'auto']} />
        <Tooltip formatter={fmt} labelFormatter={(s) => `step ${s}`} contentStyle={{ background: '#1d2029', border: '1px solid #3a3f4e' }} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {chart.series.map((s, i) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stroke={s.reference ? '#e8e9ee' : COLORS[i % COLORS.length]}
            strokeDasharray={s.reference ? '5 4' : undefined}
            dot={false}
            strokeWidth={1.5}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}
