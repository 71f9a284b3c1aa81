import { DynamicModule, Module } from '@nestjs/common';
import { MessagingLifecycle, MessagingModule, serviceInfoResolver, SubgraphModule } from '@licensing/platform';
// schema.graphql lists the GraphQL types in the order they are defined: these imports, first
// and in this order, keep it stable whichever feature loads first.
import './settings/settings.types';
import './email/email.types';
import './webhook/webhook.types';
import { notificationsMigrations } from '../database/migrations';
import { NotificationsConfig } from './config';
import { EmailRecord } from './email/email.entity';
import { EmailModule } from './email/email.module';
import { NotificationModule } from './notification/notification.module';
import { READ_MODEL_ENTITIES } from './read-model/read-model.entity';
import { ReadModelModule } from './read-model/read-model.module';
import { VendorSettings } from './settings/settings.entity';
import { SettingsModule } from './settings/settings.module';
import { WEBHOOK_ENTITIES } from './webhook/webhook.entity';
import { WebhookModule } from './webhook/webhook.module';

/** The tables the notifications service maps to entities (the migrations create them all). */
export const NOTIFICATIONS_ENTITIES = [...READ_MODEL_ENTITIES, VendorSettings, EmailRecord, ...WEBHOOK_ENTITIES];

/** `notificationsInfo`; imported after the features, so it stays the last field of Query in schema.graphql. */
@Module({ providers: [serviceInfoResolver('notifications')] })
class ServiceInfoModule {}

@Module({})
export class NotificationsAppModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsAppModule,
      imports: [
        SubgraphModule.forRoot({
          service: 'notifications',
          config,
          entities: NOTIFICATIONS_ENTITIES,
          migrations: notificationsMigrations,
          healthChecks: [MessagingLifecycle],
        }),
        MessagingModule.forRoot({
          service: 'notifications',
          config,
          handlers: [...ReadModelModule.handlers, ...EmailModule.handlers],
        }),
        ReadModelModule,
        SettingsModule,
        EmailModule,
        WebhookModule,
        NotificationModule,
        ServiceInfoModule,
      ],
    };
  }
}
