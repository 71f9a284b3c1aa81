import { randomUUID } from 'node:crypto';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { validateEnv } from '@licensing/config';
import { runMigrations, serviceDataSourceOptions, updated } from '@licensing/database';
import { generateCode } from '@licensing/domain';
import {
  ALL_TOPICS,
  createEvent,
  EventDefinition,
  EventEnvelope,
  KeyCreated,
  ProductCreated,
  ProductUpdated,
  StaffCreated,
  VendorCreated,
} from '@licensing/events';
import { EventBatchHandler, EventConsumer, EventHandler, KafkaSettings } from '@licensing/kafka';
import { KAFKA_SETTINGS, SERVICE_CONFIG } from '@licensing/platform';
import { createTestDatabase, TestDatabase } from '@licensing/testing';
import { notificationsMigrations } from '../database/migrations';
import { NOTIFICATIONS_ENTITIES } from '../src/app.module';
import { NotificationsConfig } from '../src/config';
import { EmailHandler } from '../src/email/email.handler';
import { EmailModule } from '../src/email/email.module';
import { NotificationModule } from '../src/notification/notification.module';
import { ReadModelHandler } from '../src/read-model/read-model.handler';
import { WebhookConsumer } from '../src/webhook/webhook.consumer';
import { WebhookHandler } from '../src/webhook/webhook.handler';
import { WebhookModule } from '../src/webhook/webhook.module';

function testInfrastructure(
  dataSource: DataSource,
  config: NotificationsConfig,
  kafka: KafkaSettings | undefined,
): DynamicModule {
  @Module({})
  class TestInfrastructureModule {}
  return {
    module: TestInfrastructureModule,
    global: true,
    providers: [
      { provide: getDataSourceToken(), useValue: dataSource },
      { provide: SERVICE_CONFIG, useValue: config },
      { provide: KAFKA_SETTINGS, useValue: kafka ?? {} },
    ],
    exports: [getDataSourceToken(), SERVICE_CONFIG, KAFKA_SETTINGS],
  };
}

export interface Vendor {
  id: string;
  prefix: string;
  name: string;
}

/**
 * One instance of the notifications service's features on a database (no HTTP): events are
 * delivered as the consumer delivers them (one transaction that records the id as processed
 * and runs the handler), the mail worker runs as configured. Given Kafka settings, the
 * instance also consumes the topics for real: its main consumer group (read model, e-mails)
 * and the webhook fan-out's own group, as the service runs them.
 */
export class NotificationsInstance {
  private readonly handlers = new Map<string, EventHandler<object>>();
  /** The webhook fan-out: a consumer group of its own in the service. */
  private readonly fanOut = new Map<string, EventHandler<object>>();
  /** The main consumer group on Kafka, when the instance was given Kafka settings. */
  private consumer?: EventConsumer;

  private constructor(
    readonly dataSource: DataSource,
    private readonly app: TestingModule,
    /** The name processed event ids are recorded under; instances of one service share it. */
    private readonly consumerName: string,
  ) {
    const collector = (into: Map<string, EventHandler<object>>) => {
      const c = {
        on: (def: EventDefinition<object>, handler: EventHandler<object>) => {
          into.set(def.type, handler);
          return c;
        },
        onEvery: (defs: EventDefinition<object>[], many: EventBatchHandler) => {
          for (const def of defs) into.set(def.type, (event, manager) => many([event], manager));
          return c;
        },
      } as unknown as EventConsumer;
      return c;
    };
    app.get(ReadModelHandler).register(collector(this.handlers));
    app.get(EmailHandler).register(collector(this.handlers));
    app.get(WebhookHandler).register(collector(this.fanOut));
  }

  static async start(
    url: string,
    env: Record<string, string> = {},
    consumerName = 'notifications',
    kafka?: KafkaSettings,
  ): Promise<NotificationsInstance> {
    const config = validateEnv(NotificationsConfig, {
      NODE_ENV: 'test',
      DATABASE_URL: url,
      IDENTITY_SIGNING_SECRET: 'x'.repeat(32),
      MAIL_POLL_MS: '50',
      MAIL_RETRY_BASE_MS: '100',
      MAIL_RETRY_CAP_MS: '400',
      MAIL_SEND_TIMEOUT_MS: '2000',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_RETRY_CAP_MS: '400',
      WEBHOOK_TIMEOUT_MS: '1000',
      ...env,
    });
    const dataSource = await new DataSource(
      serviceDataSourceOptions({
        url,
        service: 'notifications',
        entities: NOTIFICATIONS_ENTITIES,
        migrations: notificationsMigrations,
        poolSize: 10,
      }),
    ).initialize();
    await runMigrations(dataSource, 'notifications');
    const testing = Test.createTestingModule({
      imports: [testInfrastructure(dataSource, config, kafka), EmailModule, WebhookModule, NotificationModule],
    });
    // Without Kafka, events are handed to the handlers by deliver().
    const app = await (kafka ? testing : testing.overrideProvider(WebhookConsumer).useValue({})).compile();
    await app.init();
    const instance = new NotificationsInstance(dataSource, app, consumerName);
    if (kafka) {
      const consumer = new EventConsumer({
        dataSource,
        settings: kafka,
        groupId: consumerName,
        consumerName,
        topics: [...ALL_TOPICS],
        logger: { log: () => undefined, warn: (m) => console.warn(m), error: (m) => console.error(m) },
      });
      app.get(ReadModelHandler).register(consumer);
      app.get(EmailHandler).register(consumer);
      await consumer.start();
      instance.consumer = consumer;
    }
    return instance;
  }

  get<T>(service: Type<T>): T {
    return this.app.get(service);
  }

  /**
   * Handles one event as the service's two consumer groups do (the main one when it has a
   * handler for the type, and the webhook fan-out); false when the main group had processed it.
   */
  async deliver(event: EventEnvelope<object>): Promise<boolean> {
    const fanOut = this.fanOut.get(event.type);
    if (fanOut) await this.handle(`${this.consumerName}-webhooks`, fanOut, event);
    const handler = this.handlers.get(event.type);
    return handler ? this.handle(this.consumerName, handler, event) : false;
  }

  private handle(consumer: string, handler: EventHandler<object>, event: EventEnvelope<object>): Promise<boolean> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const { count } = await updated(
        manager,
        `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, event.id],
      );
      if (!count) return false;
      await handler(event, manager);
      return true;
    });
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    await this.app.close();
    await this.dataSource.destroy();
  }
}

/** An event of the vendor's that carries no key (product.updated of a new product id): what webhook tests fan out. */
export function productEvent(vendor: Pick<Vendor, 'id'>, name = 'PBX Server'): EventEnvelope<object> {
  const productId = randomUUID();
  return createEvent(ProductUpdated, {
    vendorId: vendor.id,
    subject: productId,
    data: { productId, code: 'PBX', name, licenseModel: 'HOST_BINDING', trialDays: 30, requiresProductCode: null },
  });
}

/** A database of its own and the instances running on it. */
export class NotificationsTestbed {
  readonly instances: NotificationsInstance[] = [];

  private constructor(private readonly db: TestDatabase) {}

  static async start(
    label: string,
    env: Record<string, string> = {},
    kafka?: KafkaSettings,
  ): Promise<NotificationsTestbed> {
    const bed = new NotificationsTestbed(await createTestDatabase(label));
    bed.instances.push(await NotificationsInstance.start(bed.db.url, env, undefined, kafka));
    return bed;
  }

  get first(): NotificationsInstance {
    return this.instances[0]!;
  }

  async instance(env: Record<string, string> = {}, consumerName?: string): Promise<NotificationsInstance> {
    const instance = await NotificationsInstance.start(this.db.url, env, consumerName);
    this.instances.push(instance);
    return instance;
  }

  async close(): Promise<void> {
    for (const i of this.instances) await i.close();
    await this.db.drop();
  }

  /** A vendor with one product (PBX, "PBX Server"), announced as the keys service does. */
  async vendor(name: string, prefix: string): Promise<Vendor & { productId: string }> {
    const id = randomUUID();
    const productId = randomUUID();
    await this.first.deliver(
      createEvent(VendorCreated, { vendorId: id, subject: id, data: { vendorId: id, prefix, name } }),
    );
    await this.first.deliver(
      createEvent(ProductCreated, {
        vendorId: id,
        subject: productId,
        data: {
          productId,
          code: 'PBX',
          name: 'PBX Server',
          licenseModel: 'HOST_BINDING',
          trialDays: 30,
          requiresProductCode: null,
        },
      }),
    );
    return { id, prefix, name, productId };
  }

  /** A staff member of the vendor (staff.created), an OWNER unless told. */
  async staff(vendor: Vendor, email: string, name: string, role: 'OWNER' | 'MANAGER' = 'OWNER'): Promise<string> {
    const staffId = randomUUID();
    await this.first.deliver(
      createEvent(StaffCreated, { vendorId: vendor.id, subject: staffId, data: { staffId, email, name, role } }),
    );
    return staffId;
  }

  /** A key issued in the cabinet (key.created), its client with this e-mail. */
  async cabinetKey(
    vendor: Vendor,
    email: string | null,
  ): Promise<{ keyId: string; code: string; createdEventId: string }> {
    const keyId = randomUUID();
    const code = generateCode('key', vendor.prefix);
    const event = createEvent(KeyCreated, {
      vendorId: vendor.id,
      subject: keyId,
      data: {
        keyId,
        code,
        clientId: randomUUID(),
        company: 'Client Ltd',
        contactName: 'Ann',
        email,
        origin: 'CABINET',
      },
    });
    await this.first.deliver(event);
    return { keyId, code, createdEventId: event.id };
  }

  async emails(): Promise<
    { id: string; status: string; attempts: number; last_error: string | null; recipient: string }[]
  > {
    return this.first.dataSource.query('SELECT id, status, attempts, last_error, recipient FROM emails ORDER BY seq');
  }
}
