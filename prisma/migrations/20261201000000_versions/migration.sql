-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "forkedFromId" TEXT,
ADD COLUMN     "forkedFromTitle" TEXT,
ADD COLUMN     "forkedFromVersionId" TEXT;

-- CreateTable
CREATE TABLE "Version" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "authors" TEXT[],
    "noteCount" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "contentHash" TEXT NOT NULL,

    CONSTRAINT "Version_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Version_sessionId_createdAt_idx" ON "Version"("sessionId", "createdAt");

-- AddForeignKey
ALTER TABLE "Version" ADD CONSTRAINT "Version_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
