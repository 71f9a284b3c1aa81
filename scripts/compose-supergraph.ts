import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { GraphQLError, parse, printSchema } from 'graphql';

/**
 * The subgraphs of the supergraph, with the URLs baked into it. They suit the local stack
 * only: the gateway replaces them with its KEYS_URL, COUPONS_URL, ... settings.
 */
export const SUBGRAPHS = [
  { name: 'keys', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'coupons', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'sessions', url: 'http://127.0.0.1:4003/graphql' },
  { name: 'notifications', url: 'http://127.0.0.1:4004/graphql' },
] as const;

export const SUPERGRAPH_PATH = join('services', 'gateway', 'supergraph.graphql');

/** The public API schema: what clients see, without federation's directives (front-end codegen). */
export const API_SCHEMA_PATH = join('services', 'gateway', 'api-schema.graphql');

export class SupergraphCompositionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Supergraph composition failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SupergraphCompositionError';
  }
}

/** The committed SDL of one subgraph (`services/<name>/schema.graphql`). */
export function subgraphSchemaPath(root: string, name: string): string {
  return join(root, 'services', name, 'schema.graphql');
}

/**
 * Composes the committed subgraph schemas ahead of time, as rover would, without a binary.
 * Every subgraph is required: a missing or unparsable schema file fails the composition
 * with its path, and composition errors are listed one per line.
 */
export function composeSupergraph(root: string): string {
  const problems: string[] = [];
  const services: Parameters<typeof composeServices>[0] = [];
  for (const { name, url } of SUBGRAPHS) {
    const path = subgraphSchemaPath(root, name);
    if (!existsSync(path)) {
      problems.push(`${name}: ${path} is missing (a subgraph writes it with \`npm run generate\`)`);
      continue;
    }
    try {
      services.push({ name, url, typeDefs: parse(readFileSync(path, 'utf8')) });
    } catch (error) {
      problems.push(
        `${name}: ${path} does not parse: ${error instanceof GraphQLError ? error.message : String(error)}`,
      );
    }
  }
  if (problems.length > 0) throw new SupergraphCompositionError(problems);

  const result = composeServices(services);
  if (result.errors) {
    throw new SupergraphCompositionError(result.errors.map((e) => e.message));
  }
  return `${result.supergraphSdl.trim()}\n`;
}

/** The API schema of a supergraph, as the gateway serves it to clients, in SDL with descriptions. */
export function apiSchemaOf(supergraphSdl: string): string {
  return `${printSchema(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema()).trim()}\n`;
}

/**
 * Writes `services/gateway/supergraph.graphql` and, from it, `services/gateway/api-schema.graphql`
 * under `root`; returns the supergraph's path.
 */
export function composeSupergraphFile(root: string): string {
  const target = join(root, SUPERGRAPH_PATH);
  const supergraph = composeSupergraph(root);
  writeFileSync(target, supergraph);
  writeFileSync(join(root, API_SCHEMA_PATH), apiSchemaOf(supergraph));
  return target;
}

if (require.main === module) {
  try {
    composeSupergraphFile(process.cwd());
    console.log(`wrote ${SUPERGRAPH_PATH} and ${API_SCHEMA_PATH}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
