import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { sessionsMigrations } from '../database/migrations';
import { SessionsConfig } from './config';

export const SESSIONS_RESOLVERS = [serviceInfoResolver('sessions')];

@Module({})
export class SessionsAppModule {
  static forRoot(config: SessionsConfig): DynamicModule {
    return {
      module: SessionsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'sessions',
          config,
          entities: [],
          migrations: sessionsMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'sessions', config }),
      ],
      providers: [...SESSIONS_RESOLVERS],
    };
  }
}
