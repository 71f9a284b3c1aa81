import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { Logger } from '@nestjs/common';
import { testInfrastructure } from '@licensing/testing';
import { dropDatabase, ensureDatabase, runMigrations, serviceDataSourceOptions } from '../src';

class Slow1700000000100 implements MigrationInterface {
  name = 'Slow1700000000100';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE applied (id serial PRIMARY KEY, at timestamptz DEFAULT now())');
    await q.query('INSERT INTO applied DEFAULT VALUES');
    await q.query('SELECT pg_sleep(0.3)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE applied');
  }
}

async function urlFor(name: string): Promise<string> {
  const url = new URL((await testInfrastructure()).postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('service databases', () => {
  it('is created once when ten instances ask for it at the same moment', async () => {
    const url = await urlFor(`t_ensure_${randomBytes(4).toString('hex')}`);
    try {
      await Promise.all(Array.from({ length: 10 }, () => ensureDatabase(url)));
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.end();
    } finally {
      await dropDatabase(url);
    }
  });

  it('applies each migration once when four instances boot together', async () => {
    const url = await urlFor(`t_migrate_${randomBytes(4).toString('hex')}`);
    await ensureDatabase(url);
    const sources = Array.from(
      { length: 4 },
      () =>
        new DataSource(
          serviceDataSourceOptions({ url, service: 'spec', entities: [], migrations: [Slow1700000000100] }),
        ),
    );
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const applied = await Promise.all(sources.map((s) => runMigrations(s, 'spec')));
      expect(applied.flat()).toEqual(['Slow1700000000100']);
      const [{ n }] = (await sources[0]!.query('SELECT count(*)::int AS n FROM applied')) as { n: number }[];
      expect(n).toBe(1);
    } finally {
      await Promise.all(sources.map((s) => (s.isInitialized ? s.destroy() : Promise.resolve())));
      await dropDatabase(url);
    }
  });
});

describe('query logging', () => {
  it('reports a failed insert without its parameters, the SQL values or the row', async () => {
    const url = await urlFor(`t_logs_${randomBytes(4).toString('hex')}`);
    await ensureDatabase(url);
    const lines: string[] = [];
    const capture = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
    Logger.overrideLogger({ log: capture, error: capture, warn: capture, debug: capture, verbose: capture });
    // TypeORM's own loggers write to the console directly: capture that too.
    const consoles = (['log', 'info', 'warn', 'error'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(capture),
    );
    const dataSource = await new DataSource(
      serviceDataSourceOptions({ url, service: 'logtest', entities: [], migrations: [] }),
    ).initialize();
    try {
      await dataSource.query('CREATE TABLE staff (email text UNIQUE NOT NULL, password_hash text NOT NULL)');
      const hash = `$argon2id$v=19$m=65536,t=3,p=4$${randomBytes(16).toString('base64')}`;
      const email = `owner-${randomBytes(4).toString('hex')}@example.test`;
      await dataSource.query('INSERT INTO staff (email, password_hash) VALUES ($1, $2)', [email, hash]);
      await expect(
        dataSource.query('INSERT INTO staff (email, password_hash) VALUES ($1, $2)', [email, hash]),
      ).rejects.toThrow(/unique/);
      const log = lines.join('\n');
      expect(log).toContain('INSERT staff failed: SQLSTATE 23505 on staff_email_key');
      expect(log).not.toContain(hash);
      expect(log).not.toContain(email);
      expect(log).not.toContain('VALUES');
    } finally {
      Logger.overrideLogger(['log', 'error', 'warn']);
      consoles.forEach((c) => c.mockRestore());
      await dataSource.destroy();
      await dropDatabase(url);
    }
  });
});
