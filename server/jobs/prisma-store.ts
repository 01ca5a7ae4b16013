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

  async create(rec: JobRecord, ownerId: string): Promise<void> {
    await this.prisma.job.create({ data: { ...rec, params: rec.params as object, ownerId } });
    // The heartbeat in database time (the create stamped this process's clock).
    await this.heartbeatOne(rec.id);
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const { params, ...rest } = patch;
    await this.prisma.job.update({ where: { id }, data: { ...rest, ...(params ? { params: params as object } : {}) } });
  }

  async finishIfOpen(id: string, patch: JobPatch): Promise<boolean> {
    const { params, ...rest } = patch;
    const r = await this.prisma.job.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { ...rest, ...(params ? { params: params as object } : {}) } });
    return r.count > 0;
  }

  async get(id: string): Promise<JobRecord | null> {
    const r = await this.prisma.job.findUnique({ where: { id } });
    return r && toRecord(r);
  }

  async listBySession(sessionId: string, limit: number): Promise<JobRecord[]> {
    const rows = await this.prisma.job.findMany({ where: { sessionId }, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map(toRecord);
  }

  // Lease times are the database's (UTC, like every timestamp Prisma writes), never an instance's
  // own clock, so instances whose clocks disagree do not expire each other's jobs.
  async heartbeat(ownerId: string): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "Job" SET "heartbeatAt" = (now() AT TIME ZONE 'UTC')
      WHERE "ownerId" = ${ownerId} AND "status" IN ('queued', 'running')`;
  }

  private async heartbeatOne(id: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE "Job" SET "heartbeatAt" = (now() AT TIME ZONE 'UTC') WHERE "id" = ${id}`;
  }

  async failExpired(leaseMs: number, exceptOwnerId: string, failure: { error: string; errorCode: string }): Promise<JobRecord[]> {
    // One UPDATE: its row locks and re-checked WHERE make the claim exclusive between instances.
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "Job"
      SET "status" = 'failed', "error" = ${failure.error}, "errorCode" = ${failure.errorCode}, "finishedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "status" IN ('queued', 'running')
        AND "heartbeatAt" < (now() AT TIME ZONE 'UTC') - ${leaseMs}::int * interval '1 millisecond'
        AND "ownerId" IS DISTINCT FROM ${exceptOwnerId}
      RETURNING "id"`;
    if (!claimed.length) return [];
    const rows = await this.prisma.job.findMany({ where: { id: { in: claimed.map((r) => r.id) } } });
    return rows.map(toRecord);
  }
}
