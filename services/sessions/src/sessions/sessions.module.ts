import { Module } from '@nestjs/common';
import { BindingsModule } from '../bindings/bindings.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { SessionEventRelay } from './session-events.relay';
import { SessionsRepository } from './sessions.repository';
import { LicenseKeySessionsResolver, SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';
import { SessionsSweeper } from './sessions.sweeper';

/** Live sessions in Redis: seat decisions, heartbeats, expiry, and the relay of their events. */
@Module({
  imports: [ReadModelModule, BindingsModule],
  providers: [
    SessionsResolver,
    LicenseKeySessionsResolver,
    SessionsRepository,
    SessionsService,
    SessionsSweeper,
    SessionEventRelay,
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
