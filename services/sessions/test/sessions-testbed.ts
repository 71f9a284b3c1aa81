import { randomBytes, randomUUID } from 'node:crypto';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { validateEnv } from '@licensing/config';
import { runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { generateCode } from '@licensing/domain';
import {
  createEvent,
  EventDefinition,
  EventEnvelope,
  KeyCreated,
  LicenseGranted,
  LicenseModel,
  LicenseStateData,
  ProductCreated,
  VendorCreated,
} from '@licensing/events';
import { EventConsumer, EventHandler, KafkaSettings } from '@licensing/kafka';
import { EventHandlerRegistry, KAFKA_SETTINGS, Metrics, REDIS, SERVICE_CONFIG } from '@licensing/platform';
import { createTestDatabase, TestDatabase, testInfrastructure } from '@licensing/testing';
import { sessionsMigrations } from '../database/migrations';
import { SESSIONS_ENTITIES } from '../src/app.module';
import { redisPrefix, SessionsConfig } from '../src/config';

/** A sessions config for tests that run feature modules without HTTP. */
export function testConfig(overrides: Record<string, string> = {}): SessionsConfig {
  return validateEnv(SessionsConfig, {
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    IDENTITY_SIGNING_SECRET: 'x'.repeat(32),
    REDIS_NAMESPACE: `t-${randomBytes(4).toString('hex')}`,
    SWEEP_INTERVAL_MS: '0',
    EVENT_STREAM_POLL_MS: '0',
    BINDING_SEEN_FLUSH_MS: '0',
    ...overrides,
  });
}

/**
 * What SubgraphModule and MessagingModule would otherwise provide: the data source, the
 * config, a Redis client, where Kafka is.
 */
function infrastructureModule(
  dataSource: DataSource,
  config: SessionsConfig,
  redis: Redis,
  kafka: KafkaSettings,
): DynamicModule {
  @Module({})
  class TestInfrastructureModule {}
  return {
    module: TestInfrastructureModule,
    global: true,
    providers: [
      { provide: getDataSourceToken(), useValue: dataSource },
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: REDIS, useValue: redis },
      { provide: KAFKA_SETTINGS, useValue: kafka },
      // What SubgraphModule provides: the process's metrics (each instance its own registry).
      { provide: Metrics, useValue: new Metrics('sessions') },
    ],
    exports: [getDataSourceToken(), SERVICE_CONFIG, REDIS, KAFKA_SETTINGS, Metrics],
  };
}

/** Registers handlers the way EventConsumer does, and delivers events to them in a transaction. */
class DirectDelivery {
  private readonly handlers = new Map<string, EventHandler<object>>();

  constructor(private readonly dataSource: DataSource) {}

  asConsumer(): EventConsumer {
    const consumer = {
      on: <T extends object>(definition: EventDefinition<T>, handler: EventHandler<T>) => {
        this.handlers.set(definition.type, handler as EventHandler<object>);
        return consumer;
      },
    };
    return consumer as unknown as EventConsumer;
  }

  async deliver(event: EventEnvelope<object>): Promise<void> {
    const handler = this.handlers.get(event.type);
    if (!handler) throw new Error(`no handler for ${event.type}`);
    await this.dataSource.transaction((manager) => handler(event, manager));
  }
}

export interface TestVendor {
  id: string;
  prefix: string;
  products: Record<string, string>;
}

export interface TestKey {
  keyId: string;
  vendorId: string;
  code: string;
}

/**
 * One "instance" of the sessions service's feature modules on a shared test database: its
 * own data source (pool) and Redis connection, as a separate process would have.
 */
export class SessionsInstance {
  private constructor(
    readonly dataSource: DataSource,
    readonly redis: Redis,
    private readonly app: TestingModule,
    readonly delivery: DirectDelivery,
  ) {}

  static async start(
    url: string,
    config: SessionsConfig,
    features: Type[],
    handlers: Type<EventHandlerRegistry>[] = [],
  ): Promise<SessionsInstance> {
    const { redisUrl, kafkaBrokers } = await testInfrastructure();
    const dataSource = await new DataSource(
      serviceDataSourceOptions({
        url,
        service: 'sessions',
        entities: SESSIONS_ENTITIES,
        migrations: sessionsMigrations,
        poolSize: 20,
      }),
    ).initialize();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const app = await Test.createTestingModule({
      imports: [
        infrastructureModule(dataSource, config, redis, {
          brokers: kafkaBrokers,
          clientId: 'sessions-test',
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
        }),
        ...features,
      ],
    }).compile();
    await app.init();
    const delivery = new DirectDelivery(dataSource);
    for (const h of handlers) app.get(h, { strict: false }).register(delivery.asConsumer());
    return new SessionsInstance(dataSource, redis, app, delivery);
  }

  get<T>(service: Type<T>): T {
    return this.app.get(service, { strict: false });
  }

  async close(): Promise<void> {
    try {
      await this.app.close();
    } finally {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
      this.redis.disconnect();
    }
  }
}

/**
 * The sessions service's features on a fresh, migrated database: one instance, or more
 * that share the database and Redis namespace. Events from the keys service are delivered
 * straight to the handlers, without Kafka.
 */
export class SessionsTestbed {
  private constructor(
    private readonly db: TestDatabase,
    readonly config: SessionsConfig,
    readonly instances: SessionsInstance[],
  ) {}

  static async start(
    label: string,
    features: Type[],
    handlers: Type<EventHandlerRegistry>[],
    options: { instances?: number; config?: Record<string, string> } = {},
  ): Promise<SessionsTestbed> {
    const db = await createTestDatabase(label);
    const config = testConfig(options.config);
    const migrator = await new DataSource(
      serviceDataSourceOptions({ url: db.url, service: 'sessions', entities: [], migrations: sessionsMigrations }),
    ).initialize();
    await runMigrations(migrator, 'sessions');
    await migrator.destroy();
    const instances: SessionsInstance[] = [];
    for (let i = 0; i < (options.instances ?? 1); i++) {
      instances.push(await SessionsInstance.start(db.url, config, features, handlers));
    }
    return new SessionsTestbed(db, config, instances);
  }

  get main(): SessionsInstance {
    return this.instances[0]!;
  }

  get<T>(service: Type<T>): T {
    return this.main.get(service);
  }

  get dataSource(): DataSource {
    return this.main.dataSource;
  }

  get databaseUrl(): string {
    return this.db.url;
  }

  /** Delivers a keys-service event as the consumer would (one transaction, through the handlers). */
  deliver(event: EventEnvelope<object>): Promise<void> {
    return this.main.delivery.deliver(event);
  }

  async close(): Promise<void> {
    const redis = this.main.redis;
    const stale = await redis.keys(`${this.config.REDIS_NAMESPACE}:*`);
    if (stale.length) await redis.del(...stale);
    for (const instance of this.instances) await instance.close();
    await this.db.drop();
  }

  /** The session events waiting in the stream for the relay, oldest first. */
  async streamEvents(): Promise<{ type: string; subject: string; data: Record<string, string> }[]> {
    const entries = await this.main.redis.xrange(`${redisPrefix(this.config)}:events`, '-', '+');
    return entries.map(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return { type: f.get('type')!, subject: f.get('subject')!, data: JSON.parse(f.get('data')!) };
    });
  }

  // --- the keys service's world, as events --------------------------------------------

  async vendor(
    prefix: string,
    products: Record<string, LicenseModel | { model: LicenseModel; requires: string }>,
  ): Promise<TestVendor> {
    const vendor: TestVendor = { id: randomUUID(), prefix, products: {} };
    await this.deliver(
      createEvent(VendorCreated, {
        vendorId: vendor.id,
        subject: vendor.id,
        data: { vendorId: vendor.id, prefix, name: prefix },
      }),
    );
    for (const [code, spec] of Object.entries(products)) {
      const productId = randomUUID();
      vendor.products[code] = productId;
      await this.deliver(
        createEvent(ProductCreated, {
          vendorId: vendor.id,
          subject: productId,
          data: {
            productId,
            code,
            name: code,
            licenseModel: typeof spec === 'string' ? spec : spec.model,
            trialDays: 30,
            requiresProductCode: typeof spec === 'string' ? null : spec.requires,
          },
        }),
      );
    }
    return vendor;
  }

  async key(vendor: TestVendor): Promise<TestKey> {
    const key = { keyId: randomUUID(), vendorId: vendor.id, code: generateCode('key', vendor.prefix) };
    await this.deliver(
      createEvent(KeyCreated, {
        vendorId: vendor.id,
        subject: key.keyId,
        data: { keyId: key.keyId, code: key.code, clientId: randomUUID(), company: 'Client', origin: 'CABINET' },
      }),
    );
    return key;
  }

  /** A license's state as license.granted (or the given definition) carries it. */
  licenseEvent(
    definition: EventDefinition<LicenseStateData>,
    vendor: TestVendor,
    key: TestKey,
    productCode: string,
    terms: Partial<LicenseStateData> = {},
    time = new Date(),
  ): EventEnvelope<LicenseStateData> {
    return createEvent(definition, {
      vendorId: vendor.id,
      subject: key.keyId,
      time,
      data: {
        licenseId: randomUUID(),
        keyId: key.keyId,
        keyCode: key.code,
        productId: vendor.products[productCode]!,
        productCode,
        licenseModel: 'CONCURRENT_SESSIONS',
        kind: 'MAIN',
        seats: 1,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        active: true,
        source: { type: 'MANUAL' },
        ...terms,
      },
    });
  }

  /** Grants a license and returns its state (for later changes). */
  async grant(
    vendor: TestVendor,
    key: TestKey,
    productCode: string,
    terms: Partial<LicenseStateData> = {},
  ): Promise<LicenseStateData> {
    const event = this.licenseEvent(LicenseGranted, vendor, key, productCode, terms);
    await this.deliver(event);
    return event.data;
  }
}
