import { Injectable } from '@nestjs/common';
import { EVENT_CATALOGUE } from '@licensing/events';
import { EventConsumer } from '@licensing/kafka';
import { EventHandlerRegistry } from '@licensing/platform';
import { fansOut, WebhookService } from './webhook.service';

/**
 * Every event of the catalogue goes to the fan-out (in the webhook consumer group of its own),
 * except this service's own reports about webhooks (they would feed themselves): those are
 * skipped before any transaction.
 */
@Injectable()
export class WebhookHandler implements EventHandlerRegistry {
  constructor(private readonly webhooks: WebhookService) {}

  register(consumer: EventConsumer): void {
    consumer.onEvery(EVENT_CATALOGUE, (events, m) => this.webhooks.fanOut(m, events), { when: fansOut });
  }
}
