import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, testInfrastructure, uniqueTopicPrefix } from '@licensing/testing';
import { API_SCHEMA_PATH, apiSchemaOf, composeSupergraph } from '../scripts/compose-supergraph';
import { ROOT, spawnService } from './support/processes';

/** The committed GraphQL files must be what the code generates (`npm run generate`). */
describe('generated GraphQL artefacts', () => {
  it.each(['keys', 'coupons', 'sessions', 'notifications'])(
    '%s/schema.graphql is what the service generates',
    async (name) => {
      const infra = await testInfrastructure();
      const database = await createTestDatabase(`schema_${name}`);
      const target = join(mkdtempSync(join(tmpdir(), 'schema-')), 'schema.graphql');
      const secret = randomBytes(32).toString('hex');
      const proc = spawnService(name, {
        PORT: '1',
        WRITE_SCHEMA_TO: target,
        DATABASE_URL: database.url,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('schema'),
        IDENTITY_SIGNING_SECRET: secret,
        ACCESS_TOKEN_SECRET: secret,
        LOG_LEVEL: 'error',
      });
      try {
        const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
        expect({ code, output: code === 0 ? '' : proc.output() }).toEqual({ code: 0, output: '' });
        expect(readFileSync(target, 'utf8')).toBe(readFileSync(join(ROOT, 'services', name, 'schema.graphql'), 'utf8'));
      } finally {
        await proc.stop();
        await database.drop();
      }
    },
  );

  it('supergraph.graphql is the composition of the committed subgraph schemas', () => {
    expect(readFileSync(join(ROOT, 'services', 'gateway', 'supergraph.graphql'), 'utf8')).toBe(composeSupergraph(ROOT));
  });

  it('api-schema.graphql is the API schema of the committed supergraph (no federation directives)', () => {
    const committed = readFileSync(join(ROOT, API_SCHEMA_PATH), 'utf8');
    expect(committed).toBe(apiSchemaOf(readFileSync(join(ROOT, 'services', 'gateway', 'supergraph.graphql'), 'utf8')));
    expect(committed).not.toMatch(/@join__|@link|join__Graph|@key|@shareable/);
    expect(committed).toMatch(/^type Query \{/m);
  });
});
