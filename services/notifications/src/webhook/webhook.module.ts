import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { SecretBox } from './secret-box';
import { WebhookConsumer } from './webhook.consumer';
import { WebhookHandler } from './webhook.handler';
import { WebhookRepository } from './webhook.repository';
import { WebhookResolver } from './webhook.resolver';
import { WebhookService } from './webhook.service';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookWorker } from './webhook.worker';

/**
 * Webhooks: endpoints, fan-out of the vendors' events (its own consumer group), signed deliveries;
 * an endpoint disabled for failing is e-mailed to the vendor's owners (the e-mail feature).
 */
@Module({
  imports: [EmailModule],
  providers: [
    WebhookRepository,
    WebhookService,
    WebhookDeliveryService,
    WebhookResolver,
    WebhookHandler,
    WebhookWorker,
    SecretBox,
    WebhookConsumer,
  ],
  exports: [WebhookService],
})
export class WebhookModule {}
