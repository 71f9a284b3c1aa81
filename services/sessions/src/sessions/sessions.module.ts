import { Module } from '@nestjs/common';
import { BindingsModule } from '../bindings/bindings.module';
import { ReadModelModule } from '../read-model/read-model.module';
import { SigningModule } from '../signing/signing.module';
import { HeartbeatIntervalsRepository } from './heartbeat-intervals.repository';
import { SessionEventRelay } from './session-events.relay';
import { SessionsRepository } from './sessions.repository';
import { LicenseKeySessionsResolver, SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';
import { SessionsSweeper } from './sessions.sweeper';
import { LiveSessionsRepository } from './live-sessions.repository';
import { SessionsMetrics } from './sessions.metrics';

/** Live sessions in Redis: seat decisions, heartbeats, expiry, and the relay of their events. */
@Module({
  imports: [ReadModelModule, BindingsModule, SigningModule],
  providers: [
    SessionsResolver,
    LicenseKeySessionsResolver,
    SessionsRepository,
    HeartbeatIntervalsRepository,
    SessionsService,
    SessionsSweeper,
    SessionEventRelay,
    LiveSessionsRepository,
    SessionsMetrics,
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
