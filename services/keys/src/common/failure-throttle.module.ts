import { Module } from '@nestjs/common';
import { FailureThrottleService } from './failure-throttle.service';

/** The login throttles (Redis counters of failed attempts) that staff and client logins share. */
@Module({
  providers: [FailureThrottleService],
  exports: [FailureThrottleService],
})
export class FailureThrottleModule {}
