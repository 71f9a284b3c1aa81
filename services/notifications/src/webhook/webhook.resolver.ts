import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId } from '@licensing/identity';
import { UuidPipe } from '@licensing/platform';
import { WebhookService } from './webhook.service';
import {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDelivery,
  WebhookEndpoint,
} from './webhook.types';

@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  constructor(private readonly webhooks: WebhookService) {}

  @Allow('vendor-owner')
  @Mutation(() => WebhookEndpoint, {
    description: 'Registers an endpoint for the caller vendor’s events; the answer shows its secret, once.',
  })
  createWebhookEndpoint(
    @CurrentIdentity() identity: Identity,
    @Args('input', { description: 'The URL and the event types it receives.' }) input: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpoint> {
    return this.webhooks.create(requireVendorId(identity), input);
  }

  @Allow('vendor')
  @Query(() => [WebhookEndpoint], { description: 'The caller vendor’s webhook endpoints (never their secrets).' })
  webhookEndpoints(@CurrentIdentity() identity: Identity): Promise<WebhookEndpoint[]> {
    return this.webhooks.list(requireVendorId(identity));
  }

  @Allow('vendor-owner')
  @Mutation(() => WebhookEndpoint, { description: 'Changes an endpoint’s URL, event types or enabled state.' })
  updateWebhookEndpoint(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The endpoint.' }, UuidPipe) id: string,
    @Args('input') input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpoint> {
    return this.webhooks.update(requireVendorId(identity), id, input);
  }

  @Allow('vendor-owner')
  @Mutation(() => Boolean, { description: 'Deletes an endpoint with its queued deliveries and log.' })
  deleteWebhookEndpoint(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The endpoint.' }, UuidPipe) id: string,
  ): Promise<boolean> {
    return this.webhooks.delete(requireVendorId(identity), id);
  }

  @Allow('vendor-owner')
  @Mutation(() => WebhookEndpoint, {
    description: 'Gives an endpoint a new signing secret, shown once in the answer; the old one stops at once.',
  })
  rotateWebhookSecret(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The endpoint.' }, UuidPipe) id: string,
  ): Promise<WebhookEndpoint> {
    return this.webhooks.rotateSecret(requireVendorId(identity), id);
  }

  @Allow('vendor')
  @Mutation(() => WebhookDelivery, { description: 'Sends a webhook.ping envelope to an endpoint.' })
  testWebhookEndpoint(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The endpoint.' }, UuidPipe) id: string,
  ): Promise<WebhookDelivery> {
    return this.webhooks.ping(requireVendorId(identity), id);
  }

  @Allow('vendor')
  @Mutation(() => WebhookDelivery, {
    description: 'Sends one delivery again (same webhook-id, so the receiver can tell); its log goes on.',
  })
  redeliverWebhook(
    @CurrentIdentity() identity: Identity,
    @Args('id', { type: () => ID, description: 'The delivery.' }, UuidPipe) id: string,
  ): Promise<WebhookDelivery> {
    return this.webhooks.redeliver(requireVendorId(identity), id);
  }

  @Allow('vendor')
  @Query(() => [WebhookDelivery], { description: 'An endpoint’s deliveries, newest first, each with its attempts.' })
  webhookDeliveries(
    @CurrentIdentity() identity: Identity,
    @Args(
      'endpointId',
      { type: () => ID, description: 'The endpoint whose deliveries are listed (the caller vendor’s).' },
      UuidPipe,
    )
    endpointId: string,
    @Args('first', { type: () => Int, nullable: true, description: 'How many, 1 to 200; 50 by default.' })
    first?: number | null,
  ): Promise<WebhookDelivery[]> {
    return this.webhooks.deliveries(requireVendorId(identity), endpointId, first ?? undefined);
  }
}
