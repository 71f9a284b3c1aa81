import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { Allow } from '@licensing/identity';
import { AcquireLicenseInput } from './dto/acquire-license.input';
import { SessionsService } from './sessions.service';
import { LicenseLease, leaseView, SessionHeartbeat } from './sessions.types';

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
  async acquireLicense(@Args('input') input: AcquireLicenseInput): Promise<LicenseLease> {
    return leaseView(await this.sessionsService.acquire(input));
  }

  @Allow('application')
  @Mutation(() => SessionHeartbeat, {
    description:
      'Extends a live session. SESSION_ENDED for one that expired, was released or terminated (acquire again); ' +
      '2008 when its license is no longer in force (the session ends).',
  })
  heartbeat(@Args('sessionId', { type: () => ID }) sessionId: string): Promise<SessionHeartbeat> {
    return this.sessionsService.heartbeat(sessionId);
  }

  @Allow('application')
  @Mutation(() => Boolean, { description: 'Ends a live session and frees its seat.' })
  releaseLicense(@Args('sessionId', { type: () => ID }) sessionId: string): Promise<boolean> {
    return this.sessionsService.release(sessionId);
  }
}
