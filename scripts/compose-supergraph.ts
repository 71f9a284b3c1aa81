import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** The subgraphs of the supergraph, with the URLs baked into it (the gateway overrides them). */
export const SUBGRAPHS = [
  { name: 'keys', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'coupons', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'sessions', url: 'http://127.0.0.1:4003/graphql' },
  { name: 'notifications', url: 'http://127.0.0.1:4004/graphql' },
] as const;

export const SUPERGRAPH_PATH = join('services', 'gateway', 'supergraph.graphql');

/** Composes the committed subgraph schemas ahead of time, as rover would, without a binary. */
export function composeSupergraph(root: string): string {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({
      name,
      url,
      typeDefs: parse(readFileSync(join(root, 'services', name, 'schema.graphql'), 'utf8')),
    })),
  );
  if (result.errors) {
    throw new Error(`Supergraph composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trim()}\n`;
}

export function composeSupergraphFile(root: string): void {
  writeFileSync(join(root, SUPERGRAPH_PATH), composeSupergraph(root));
}

if (require.main === module) {
  composeSupergraphFile(process.cwd());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
