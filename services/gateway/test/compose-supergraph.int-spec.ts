import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadSupergraphSdl } from '../src/supergraph';
import { composeTestSupergraph, ROOT, runComposeScript, TEST_SUBGRAPH_SDL } from './support';

/** What the composition script prints when it fails, and its exit status. */
function failure(run: () => unknown): { status: number; stderr: string } {
  try {
    run();
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { status: e.status, stderr: e.stderr };
  }
  throw new Error('the composition script did not fail');
}

/** scripts/compose-supergraph.ts, run as `npm run generate` runs it, on files in a temp folder. */
describe('the supergraph composition script', () => {
  it('composes the four subgraph schemas with their names and local URLs', () => {
    const { path, remove } = composeTestSupergraph();
    try {
      const sdl = readFileSync(path, 'utf8');
      expect(sdl).toContain('KEYS @join__graph(name: "keys", url: "http://127.0.0.1:4001/graphql")');
      expect(sdl).toContain('COUPONS @join__graph(name: "coupons", url: "http://127.0.0.1:4002/graphql")');
      expect(sdl).toContain('SESSIONS @join__graph(name: "sessions", url: "http://127.0.0.1:4003/graphql")');
      expect(sdl).toContain('NOTIFICATIONS @join__graph(name: "notifications", url: "http://127.0.0.1:4004/graphql")');
      expect(loadSupergraphSdl(path)).toBe(sdl);
    } finally {
      remove();
    }
  });

  it('fails naming a missing subgraph schema', () => {
    const { root, remove } = composeTestSupergraph();
    try {
      rmSync(join(root, 'services', 'sessions', 'schema.graphql'));
      const { status, stderr } = failure(() => runComposeScript(root));
      expect(status).toBe(1);
      expect(stderr).toMatch(
        /Supergraph composition failed:\n {2}- sessions: .*services\/sessions\/schema\.graphql is missing/,
      );
    } finally {
      remove();
    }
  });

  it('lists the composition errors', () => {
    const conflicting = {
      ...TEST_SUBGRAPH_SDL,
      // The same field with another type, and not shareable: composition must refuse it.
      sessions: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Query { sessionsPing: String }
        type Node @key(fields: "id") { id: ID! name: Int! }`,
    };
    const { status, stderr } = failure(() => composeTestSupergraph(conflicting).remove());
    expect(status).toBe(1);
    expect(stderr).toMatch(/^Supergraph composition failed:\n {2}- .*Node\.name/);
  });

  it('reproduces the committed supergraph from the committed subgraph schemas', () => {
    const { root, path, remove } = composeTestSupergraph();
    try {
      for (const name of Object.keys(TEST_SUBGRAPH_SDL)) {
        copyFileSync(join(ROOT, 'services', name, 'schema.graphql'), join(root, 'services', name, 'schema.graphql'));
      }
      runComposeScript(root);
      expect(readFileSync(path, 'utf8')).toBe(
        loadSupergraphSdl(join(ROOT, 'services', 'gateway', 'supergraph.graphql')),
      );
    } finally {
      remove();
    }
  });

  it('the gateway refuses to boot without a supergraph, naming the path', () => {
    expect(() => loadSupergraphSdl('/nonexistent/supergraph.graphql')).toThrow(
      /SUPERGRAPH_PATH \/nonexistent\/supergraph\.graphql does not exist/,
    );
  });
});
