import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
import { notificationsMigrations } from '../database/migrations';
import { NotificationsConfig } from './config';

export const NOTIFICATIONS_RESOLVERS = [serviceInfoResolver('notifications')];

@Module({})
export class NotificationsAppModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'notifications',
          config,
          entities: [],
          migrations: notificationsMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({ service: 'notifications', config }),
      ],
      providers: [...NOTIFICATIONS_RESOLVERS],
    };
  }
}
