import { Global, Module, ModuleMetadata, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { DataSource, EntityManager } from 'typeorm';
import { validateEnv } from '@licensing/config';
import { rows, runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { Metrics, REDIS, SERVICE_CONFIG } from '@licensing/platform';
import { createTestDatabase, TestDatabase, testInfrastructure } from '@licensing/testing';
import { keysMigrations } from '../database/migrations';
import { KEYS_ENTITIES } from '../src/app.module';
import { KeysConfig } from '../src/config';

/** A keys config for tests that run services without HTTP or Kafka. */
export function testConfig(overrides: Record<string, string> = {}): KeysConfig {
  return validateEnv(KeysConfig, {
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    IDENTITY_SIGNING_SECRET: 'x'.repeat(32),
    ACCESS_TOKEN_SECRET: 'y'.repeat(32),
    EXPIRY_SCAN_MS: '0',
    ...overrides,
  });
}

/** A fresh database with the keys service's migrations applied, and a data source on it. */
export async function migratedDatabase(label: string): Promise<{ db: TestDatabase; dataSource: DataSource }> {
  const db = await createTestDatabase(label);
  const dataSource = await new DataSource(
    serviceDataSourceOptions({
      url: db.url,
      service: 'keys',
      entities: KEYS_ENTITIES,
      migrations: keysMigrations,
      poolSize: 10,
    }),
  ).initialize();
  await runMigrations(dataSource, 'keys');
  return { db, dataSource };
}

/**
 * Compiles feature modules the way the app wires them, over a test database: the data
 * source, the config and a Redis client (connected only if something uses it; `redisUrl`
 * names another Redis, say one that is down) are what SubgraphModule would otherwise provide.
 */
export async function compileFeatures(
  dataSource: DataSource,
  features: Type[],
  config = testConfig(),
  redisUrl?: string,
): Promise<{ moduleRef: TestingModule; close: () => Promise<void> }> {
  const redis = new Redis(redisUrl ?? (await testInfrastructure()).redisUrl, { lazyConnect: true });
  const infrastructure: ModuleMetadata = {
    providers: [
      { provide: DataSource, useValue: dataSource },
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: REDIS, useValue: redis },
      { provide: Metrics, useValue: new Metrics('keys') },
    ],
    exports: [DataSource, SERVICE_CONFIG, REDIS, Metrics],
  };
  @Global()
  @Module(infrastructure)
  class TestInfrastructureModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestInfrastructureModule, ...features] }).compile();
  return {
    moduleRef,
    close: async () => {
      await moduleRef.close();
      redis.disconnect();
    },
  };
}

/** The events in the outbox, oldest first, of the given types and subject (a key id). */
export async function outboxEvents<D = Record<string, unknown>>(
  sql: DataSource | EntityManager,
  filter: { types?: string[]; subject?: string } = {},
): Promise<{ type: string; subject: string; data: D }[]> {
  const found = await rows<{ event_type: string; payload: { subject: string; data: D } }>(
    sql,
    `SELECT event_type, payload FROM outbox
      WHERE ($1::text[] IS NULL OR event_type = ANY($1)) AND ($2::text IS NULL OR payload->>'subject' = $2)
      ORDER BY created_at, id`,
    [filter.types ?? null, filter.subject ?? null],
  );
  return found.map((r) => ({ type: r.event_type, subject: r.payload.subject, data: r.payload.data }));
}
