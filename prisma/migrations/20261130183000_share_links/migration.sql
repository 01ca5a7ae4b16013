-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "editLinkGen" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "editTokenHash" TEXT,
ADD COLUMN     "ownerTokenHash" TEXT,
ADD COLUMN     "viewLinkGen" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "viewTokenHash" TEXT,
ADD COLUMN     "viewTokenSealed" TEXT;

