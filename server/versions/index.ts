// Versions of a session (issue 16): automatic checkpoints, named versions, retention, restore and
// fork. The store lives in the database next to the session; the checkpointer follows the rooms.
import type { PrismaClient } from '../db/generated/client';
import type { RoomRegistry } from '../rooms/registry';
import { Checkpointer } from './checkpoints';
import { resolveVersionsConfig, type VersionsConfig } from './config';
import { VersionStore } from './store';

export type { VersionsConfig } from './config';

export interface Versions {
  store: VersionStore;
  checkpoints: Checkpointer;
  config: VersionsConfig;
  close(): void;
}

export function startVersions(deps: { prisma: PrismaClient; rooms: RoomRegistry; config?: Partial<VersionsConfig>; log: (msg: string, err?: unknown) => void }): Versions {
  const config = resolveVersionsConfig(deps.config);
  const store = new VersionStore(deps.prisma);
  const checkpoints = new Checkpointer(deps.rooms, store, config, deps.log);
  return { store, checkpoints, config, close: () => checkpoints.close() };
}
