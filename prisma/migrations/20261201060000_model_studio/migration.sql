-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "ownerKeyHash" TEXT,
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "dataDescription" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "settings" JSONB,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL,
    "trainingStatus" TEXT,
    "step" INTEGER NOT NULL DEFAULT 0,
    "totalSteps" INTEGER NOT NULL DEFAULT 0,
    "checkpointStep" INTEGER NOT NULL DEFAULT 0,
    "runner" TEXT NOT NULL DEFAULT 'pool',
    "error" TEXT,
    "card" TEXT,
    "weightsBytes" INTEGER NOT NULL DEFAULT 0,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingPoint" (
    "versionId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "valid" DOUBLE PRECISION,
    "elapsedMs" INTEGER NOT NULL,
    "etaMs" INTEGER,
    "extra" JSONB,

    CONSTRAINT "TrainingPoint_pkey" PRIMARY KEY ("versionId","step")
);

-- CreateTable
CREATE TABLE "UploadCollection" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "ownerKeyHash" TEXT NOT NULL,
    "files" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UploadCollection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionModelPin" (
    "sessionId" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,

    CONSTRAINT "SessionModelPin_pkey" PRIMARY KEY ("sessionId","family")
);

-- CreateIndex
CREATE INDEX "ModelVersion_family_createdAt_idx" ON "ModelVersion"("family", "createdAt");

-- CreateIndex
CREATE INDEX "ModelVersion_trainingStatus_idx" ON "ModelVersion"("trainingStatus");

-- AddForeignKey
ALTER TABLE "TrainingPoint" ADD CONSTRAINT "TrainingPoint_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionModelPin" ADD CONSTRAINT "SessionModelPin_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionModelPin" ADD CONSTRAINT "SessionModelPin_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

