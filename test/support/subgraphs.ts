import { DynamicModule, INestApplication } from '@nestjs/common';
import { ServiceConfig, validateEnv } from '@licensing/config';
import { createSubgraphApp } from '@licensing/platform';
import { createTestDatabase, TestDatabase, testInfrastructure } from '@licensing/testing';
import { CouponsAppModule } from '../../services/coupons/src/app.module';
import { CouponsConfig } from '../../services/coupons/src/config';
import { KeysAppModule } from '../../services/keys/src/app.module';
import { KeysConfig } from '../../services/keys/src/config';
import { NotificationsAppModule } from '../../services/notifications/src/app.module';
import { NotificationsConfig } from '../../services/notifications/src/config';
import { SessionsAppModule } from '../../services/sessions/src/app.module';
import { SessionsConfig } from '../../services/sessions/src/config';

export type SubgraphName = 'keys' | 'coupons' | 'sessions' | 'notifications';

const SUBGRAPHS: Record<SubgraphName, { config: new () => ServiceConfig; module: (c: never) => DynamicModule }> = {
  keys: { config: KeysConfig, module: (c: KeysConfig) => KeysAppModule.forRoot(c) },
  coupons: { config: CouponsConfig, module: (c: CouponsConfig) => CouponsAppModule.forRoot(c) },
  sessions: { config: SessionsConfig, module: (c: SessionsConfig) => SessionsAppModule.forRoot(c) },
  notifications: { config: NotificationsConfig, module: (c: NotificationsConfig) => NotificationsAppModule.forRoot(c) },
};

export interface RunningSubgraph {
  name: SubgraphName;
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  graphqlUrl: string;
  config: ServiceConfig;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface SharedTestSecrets {
  identitySigningSecret: string;
  accessTokenSecret: string;
  topicPrefix: string;
}

/** Runs one subgraph in this process, on its own fresh database, on a free port. */
export async function startSubgraph(name: SubgraphName, shared: SharedTestSecrets): Promise<RunningSubgraph> {
  const infra = await testInfrastructure();
  const database = await createTestDatabase(name);
  const def = SUBGRAPHS[name];
  const config = validateEnv(def.config, {
    NODE_ENV: 'test',
    PORT: '1',
    DATABASE_URL: database.url,
    REDIS_URL: infra.redisUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: shared.topicPrefix,
    IDENTITY_SIGNING_SECRET: shared.identitySigningSecret,
    ACCESS_TOKEN_SECRET: shared.accessTokenSecret,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '100',
  });
  const app = await createSubgraphApp(def.module(config as never), config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    name,
    app,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    config,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
