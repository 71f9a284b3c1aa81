import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
// schema.graphql lists the GraphQL types in the order they are defined: these imports, first
// and in this order, keep it stable whichever feature loads first.
import './read-model/read-model.types';
import './common/host.types';
import './bindings/bindings.types';
import './sessions/sessions.types';
import './checks/checks.types';
import { sessionsMigrations } from '../database/migrations';
import { BindingRecord } from './bindings/binding.entity';
import { BindingsModule } from './bindings/bindings.module';
import { LicenseCheckRecord } from './checks/check.entity';
import { ChecksModule } from './checks/checks.module';
import { SessionsConfig } from './config';
import { READ_MODEL_ENTITIES } from './read-model/read-model.entity';
import { ReadModelModule } from './read-model/read-model.module';
import { RuntimeModule } from './runtime/runtime.module';
import { HeartbeatIntervalRecord } from './sessions/heartbeat-interval.entity';
import { SessionsModule } from './sessions/sessions.module';
import { SigningKeyRecord } from './signing/signing-key.entity';
import { SigningModule } from './signing/signing.module';
import { SessionsService } from './sessions/sessions.service';

/** The tables the sessions service maps to entities (the migrations create them all). */
export const SESSIONS_ENTITIES = [
  ...READ_MODEL_ENTITIES,
  BindingRecord,
  LicenseCheckRecord,
  HeartbeatIntervalRecord,
  SigningKeyRecord,
];

/** `sessionsInfo`; imported after the features, so it stays the last field of Query in schema.graphql. */
@Module({ providers: [serviceInfoResolver('sessions')] })
class ServiceInfoModule {}

@Module({})
export class SessionsAppModule {
  static forRoot(config: SessionsConfig): DynamicModule {
    return {
      module: SessionsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'sessions',
          config,
          entities: SESSIONS_ENTITIES,
          migrations: sessionsMigrations,
          healthChecks: [MessagingLifecycle, SessionsService],
        }),
        MessagingModule.forRoot({ service: 'sessions', config, handlers: ReadModelModule.handlers }),
        // In the order the schema lists their queries and mutations.
        ReadModelModule,
        BindingsModule,
        SessionsModule,
        ChecksModule,
        SigningModule,
        RuntimeModule,
        ServiceInfoModule,
      ],
    };
  }
}
