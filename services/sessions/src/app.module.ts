import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { sessionsMigrations } from '../database/migrations';
import { BindingRecord } from './bindings/binding.entity';
import { BindingsModule } from './bindings/bindings.module';
import { SessionsConfig } from './config';
import { READ_MODEL_ENTITIES } from './read-model/read-model.entity';
import { ReadModelModule } from './read-model/read-model.module';
import { SessionsModule } from './sessions/sessions.module';

/** The tables the sessions service maps to entities (the migrations create them all). */
export const SESSIONS_ENTITIES = [...READ_MODEL_ENTITIES, BindingRecord];

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
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'sessions', config, handlers: ReadModelModule.handlers }),
        ReadModelModule,
        BindingsModule,
        SessionsModule,
        ServiceInfoModule,
      ],
    };
  }
}
