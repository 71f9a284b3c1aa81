import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';

/** Reads the supergraph composed ahead of time; fails the boot clearly when it is missing. */
export function loadSupergraphSdl(path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) {
    throw new Error(
      `SUPERGRAPH_PATH ${absolute} does not exist; compose it with scripts/compose-supergraph.ts (npm run generate)`,
    );
  }
  const sdl = readFileSync(absolute, 'utf8');
  if (!/@join__graph|join__Graph/.test(sdl)) {
    throw new Error(`SUPERGRAPH_PATH ${absolute} is not a composed supergraph (no join__Graph)`);
  }
  return sdl;
}

/** Whether the gateway has its schema, for /health. */
export class SupergraphStatus {
  loadedAt?: Date;
  stopped = false;
  readonly subgraphs = new Map<string, string>();

  get ready(): boolean {
    return this.loadedAt !== undefined && !this.stopped;
  }
}

/** Marks the status when Apollo has loaded the supergraph and when it stops. */
export function supergraphStatusPlugin(status: SupergraphStatus): ApolloServerPlugin {
  return {
    serverWillStart: async () => ({
      schemaDidLoadOrUpdate: () => {
        status.loadedAt = new Date();
      },
      serverWillStop: async () => {
        status.stopped = true;
      },
    }),
  };
}
