// JobStore on Prisma: one `Job` row per request (prisma/schema.prisma, migration *_jobs), in the
// embedded database or PostgreSQL alike.
import type { PrismaClient } from '../db/generated/client';
import type { JobStatus } from '../../lib/score/jobs';
import type { JobPatch, JobRecord, JobStore } from './store';

type Row = Awaited<ReturnType<PrismaClient['job']['findUnique']>> & object;

const toRecord = (r: Row): JobRecord => ({
  id: r.id,
  sessionId: r.sessionId,
  model: r.model,
  task: r.task,
  params: (r.params ?? {}) as Record<string, unknown>,
  requesterId: r.requesterId,
  requesterName: r.requesterName,
  status: r.status as JobStatus,
  progress: r.progress,
  error: r.error,
  errorCode: r.errorCode,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  inferenceMs: r.inferenceMs,
  resultNoteIds: r.resultNoteIds,
  resultTrackIds: r.resultTrackIds,
  removedNoteIds: r.removedNoteIds,
  undoneAt: r.undoneAt,
});

export class PrismaJobStore implements JobStore {
  constructor(private readonly prisma: PrismaClient) {}

  async create(rec: JobRecord): Promise<void> {
    await this.prisma.job.create({ data: { ...rec, params: rec.params as object } });
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const { params, ...rest } = patch;
    await this.prisma.job.update({ where: { id }, data: { ...rest, ...(params ? { params: params as object } : {}) } });
  }

  async get(id: string): Promise<JobRecord | null> {
    const r = await this.prisma.job.findUnique({ where: { id } });
    return r && toRecord(r);
  }

  async listBySession(sessionId: string, limit: number): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({ where: { sessionId }, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map(toRecord);
  }

  async listUnfinished(): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({ where: { status: { in: ['queued', 'running'] } } });
    return rows.map(toRecord);
  }
}
