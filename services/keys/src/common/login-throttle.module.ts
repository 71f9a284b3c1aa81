import { Module } from '@nestjs/common';
import { LoginThrottleService } from './login-throttle.service';

/** The login throttles (Redis counters of attempts) that staff and client logins share. */
@Module({
  providers: [LoginThrottleService],
  exports: [LoginThrottleService],
})
export class LoginThrottleModule {}
