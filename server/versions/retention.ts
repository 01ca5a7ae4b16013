// Which automatic checkpoints to keep (issue 16 "thin the automatic ones"): every one from the
// last hour, then the newest of each clock hour for a day, then the newest of each day. Named
// versions are never passed here: they are kept until someone deletes the session.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Dated {
  id: string;
  createdAt: Date;
}

/** The ids of automatic checkpoints that retention drops at `now`. */
export function thinAutomatic(autos: readonly Dated[], now: number): string[] {
  const newestFirst = [...autos].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const seen = new Set<string>();
  const drop: string[] = [];
  newestFirst.forEach((v, i) => {
    const t = v.createdAt.getTime();
    const age = now - t;
    if (i === 0 || age < HOUR) return; // the latest checkpoint and the last hour: all kept
    const bucket = age < DAY ? `h${Math.floor(t / HOUR)}` : `d${Math.floor(t / DAY)}`;
    if (seen.has(bucket)) drop.push(v.id);
    else seen.add(bucket);
  });
  return drop;
}
