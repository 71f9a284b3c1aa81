import { Args, ID, Info, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLResolveInfo } from 'graphql';
import { selectsField } from '@licensing/graphql';
import { Allow, CurrentIdentity, Identity, requireVendorId, vendorIdOf } from '@licensing/identity';
import { UuidPipe } from '@licensing/platform';
import { cabinetScope } from '../common/cabinet-scope';
import { LicenseKeyRef } from '../read-model/read-model.types';
import { AcquireLicenseInput } from './dto/acquire-license.input';
import { SetProductHeartbeatIntervalInput } from './dto/set-heartbeat-interval.input';
import { SessionsService } from './sessions.service';
import {
  heartbeatIntervalView,
  LicenseLease,
  leaseView,
  ProductHeartbeatIntervalView,
  SessionHeartbeat,
  SessionView,
  sessionView,
} from './sessions.types';

/** The operations protected applications call all day; the key (then the session id) is the credential. */
@Resolver()
export class SessionsResolver {
  constructor(private readonly sessionsService: SessionsService) {}

  @Allow('application')
  @Mutation(() => LicenseLease, {
    description:
      'Takes a seat for a session: HOST_BINDING binds a new host to a free seat (a bound host gets in at once), ' +
      'CONCURRENT_SESSIONS takes one per session, CONCURRENT_HOSTS one per host. 1051 when none is free, 2008 ' +
      'when the key has no license of the product in force.',
  })
  async acquireLicense(
    @Args('input', { description: 'The key as typed, the product, the host and the session details.' })
    input: AcquireLicenseInput,
  ): Promise<LicenseLease> {
    return leaseView(await this.sessionsService.acquire(input));
  }

  @Allow('application')
  @Mutation(() => SessionHeartbeat, {
    description:
      'Extends a live session. SESSION_ENDED for one that expired, was released or terminated (acquire again); ' +
      '2008 when its license is no longer in force (the session ends).',
  })
  heartbeat(
    @Args('sessionId', { type: () => ID, description: 'The sessionId acquireLicense returned.' }) sessionId: string,
    @Info() info: GraphQLResolveInfo,
  ): Promise<SessionHeartbeat> {
    // The lease is signed only for a heartbeat that selects token (signing is most of its cost).
    return this.sessionsService.heartbeat(sessionId, { signLease: selectsField(info, 'token') });
  }

  @Allow('application')
  @Mutation(() => Boolean, { description: 'Ends a live session and frees its seat.' })
  releaseLicense(
    @Args('sessionId', {
      type: () => ID,
      description: 'The sessionId acquireLicense returned; its seat is freed at once.',
    })
    sessionId: string,
  ): Promise<boolean> {
    return this.sessionsService.release(sessionId);
  }

  @Allow('vendor')
  @Mutation(() => Boolean, { description: 'Ends a live session of the caller vendor’s keys; its seat is free.' })
  terminateSession(
    @CurrentIdentity() identity: Identity,
    @Args('id', {
      type: () => ID,
      description: "Id of a live session on one of the caller's keys (LicenseKey.sessions lists them).",
    })
    id: string,
  ): Promise<boolean> {
    return this.sessionsService.terminate(requireVendorId(identity), id);
  }

  @Allow('vendor')
  @Query(() => ProductHeartbeatIntervalView, {
    description: 'How often the sessions of one of the caller vendor’s products heartbeat.',
  })
  async productHeartbeatInterval(
    @CurrentIdentity() identity: Identity,
    @Args('productId', { type: () => ID }, UuidPipe) productId: string,
  ): Promise<ProductHeartbeatIntervalView> {
    return heartbeatIntervalView(await this.sessionsService.heartbeatInterval(requireVendorId(identity), productId));
  }

  @Allow('vendor')
  @Mutation(() => ProductHeartbeatIntervalView, {
    description:
      'Sets how often the sessions of a product heartbeat (null: the default, 60 s). Each session gets it at its ' +
      'next acquire or heartbeat.',
  })
  async setProductHeartbeatInterval(
    @CurrentIdentity() identity: Identity,
    @Args('input') input: SetProductHeartbeatIntervalInput,
  ): Promise<ProductHeartbeatIntervalView> {
    return heartbeatIntervalView(
      await this.sessionsService.setHeartbeatInterval(
        requireVendorId(identity),
        input.productId,
        input.seconds ?? null,
      ),
    );
  }
}

/** The keys service's LicenseKey, extended with its live sessions. */
@Resolver(() => LicenseKeyRef)
export class LicenseKeySessionsResolver {
  constructor(private readonly sessionsService: SessionsService) {}

  @ResolveField(() => [SessionView], { description: 'Live sessions of the key, soonest to expire first.' })
  async sessions(@Parent() key: LicenseKeyRef, @CurrentIdentity() identity: Identity): Promise<SessionView[]> {
    if (!vendorIdOf(identity)) return [];
    return (await this.sessionsService.findLiveByKey(cabinetScope(identity), key.id)).map(sessionView);
  }
}
