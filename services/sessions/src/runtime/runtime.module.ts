import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS, SERVICE_CONFIG } from '@licensing/platform';
import { ChecksModule } from '../checks/checks.module';
import { redisPrefix, SessionsConfig } from '../config';
import { SessionsModule } from '../sessions/sessions.module';
import { SigningModule } from '../signing/signing.module';
import { RuntimeRateLimiter } from './runtime-rate-limit';
import { RuntimeController } from './runtime.controller';
import { RuntimeService } from './runtime.service';

/** The lean JSON endpoint for applications, /runtime/v1/* (README, "The runtime endpoint"). */
@Module({
  imports: [SessionsModule, ChecksModule, SigningModule],
  providers: [
    RuntimeService,
    RuntimeController,
    {
      provide: RuntimeRateLimiter,
      inject: [REDIS, SERVICE_CONFIG],
      useFactory: (redis: Redis, config: SessionsConfig) =>
        new RuntimeRateLimiter(redis, `${redisPrefix(config)}:runtime-rate`, config.RUNTIME_RATE_LIMIT_PER_MINUTE),
    },
  ],
  exports: [RuntimeService],
})
export class RuntimeModule {}
