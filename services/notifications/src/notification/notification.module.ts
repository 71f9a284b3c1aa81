import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { WebhookModule } from '../webhook/webhook.module';
import { NotificationResolver } from './notification.resolver';
import { NotificationService } from './notification.service';

/** The key card's and support's list of what went out: e-mails and webhook deliveries together. */
@Module({
  imports: [EmailModule, WebhookModule, ReadModelModule],
  providers: [NotificationService, NotificationResolver],
  exports: [NotificationService],
})
export class NotificationModule {}
