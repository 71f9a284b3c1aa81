import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { SessionEndReason } from '@licensing/events';
import { BadInputError, DomainError, ErrorCode, NotFoundError } from '@licensing/graphql';
import { BindingsService, HostDetails } from '../bindings/bindings.service';
import { CabinetScope } from '../common/cabinet-scope';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { LicenseStanding } from '../read-model/license-standing';
import { ReadModelService } from '../read-model/read-model.service';
import { LiveSession, SessionsRepository } from './sessions.repository';

export interface AcquireRequest {
  keyCode: string;
  productCode: string;
  host: HostDetails;
  session?: { infobase?: string | null; user?: string | null; processId?: string | null } | null;
}

/** A seat taken: the session, until when it holds without a heartbeat, and the license it uses. */
export interface Lease {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  standing: LicenseStanding;
}

export interface HeartbeatAnswer {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
}

const SWEEP_BATCH = 200;

/** 2008 with the reason: the key has no license of the product in force. */
export function notInForce(standing: LicenseStanding): DomainError {
  return new DomainError(
    ErrorCode.LICENSE_NOT_ON_KEY,
    `No license of ${standing.productCode} in force on this key: ${standing.message}`,
    'input.productCode',
    { reason: standing.reason },
  );
}

/**
 * Seats of CONCURRENT_SESSIONS (one per session), CONCURRENT_HOSTS (one per host, shared by
 * its sessions) and HOST_BINDING (one per bound host) licenses, held by live sessions that
 * heartbeat. Each decision is one Redis script (session.scripts.ts); a new host binding is
 * BindingsService's. A session expires HEARTBEAT_GRACE_INTERVALS heartbeat intervals after its
 * last heartbeat; ended sessions are never revived.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly bindings: BindingsService,
    private readonly sessions: SessionsRepository,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {}

  private get heartbeatIntervalSeconds(): number {
    return this.config.HEARTBEAT_INTERVAL_SECONDS;
  }

  /** How long a session holds without a heartbeat. */
  private get ttlMs(): number {
    return this.config.HEARTBEAT_INTERVAL_SECONDS * this.config.HEARTBEAT_GRACE_INTERVALS * 1000;
  }

  async acquire(request: AcquireRequest): Promise<Lease> {
    const standing = await this.readModel.standing(request.keyCode, request.productCode);
    if (!standing.active) throw notInForce(standing);
    const { host } = request;
    const bindingId = standing.licenseModel === 'HOST_BINDING' ? await this.bindings.bind(standing, host) : '';
    const sessionId = randomUUID();
    const outcome = await this.sessions.acquire(
      {
        sessionId,
        model: standing.licenseModel,
        vendorId: standing.vendorId,
        keyId: standing.keyId,
        keyCode: standing.keyCode,
        productId: standing.productId,
        productCode: standing.productCode,
        fp: host.fingerprint,
        hostName: host.name ?? '',
        hostOs: host.os ?? '',
        hostIp: host.ip ?? '',
        platformVersion: host.platformVersion ?? '',
        infobase: request.session?.infobase ?? '',
        user: request.session?.user ?? '',
        processId: request.session?.processId ?? '',
        bindingId,
      },
      standing.seats,
      this.ttlMs,
    );
    if (!outcome.taken) {
      const per = standing.licenseModel === 'CONCURRENT_HOSTS' ? 'hosts' : 'sessions';
      throw new DomainError(
        ErrorCode.NO_FREE_LICENSE,
        `No free license of ${standing.productCode}: all ${standing.seats} seat(s) are in use by other ${per}. ` +
          'Try again when one is released.',
        'input',
        { seats: standing.seats },
      );
    }
    return {
      sessionId,
      expiresAt: outcome.expiresAt,
      heartbeatIntervalSeconds: this.heartbeatIntervalSeconds,
      standing,
    };
  }

  /**
   * Extends a live session. An ended or expired one gets SESSION_ENDED (acquire again); one
   * whose license is no longer in force ends now and gets 2008 with the reason.
   */
  async heartbeat(sessionId: string): Promise<HeartbeatAnswer> {
    assertSessionId(sessionId);
    const beat = await this.sessions.heartbeat(sessionId, this.ttlMs);
    if (!beat.alive) throw sessionGone(beat.endReason);
    const { binding } = beat;
    const [standing, stillBound] = await Promise.all([
      this.readModel.standing(beat.keyCode, beat.productCode),
      binding ? this.bindings.isBound(binding, binding.bindingId) : true,
    ]);
    if (!standing.active) {
      const reason: SessionEndReason = standing.reason === 'KEY_DELETED' ? 'KEY_DELETED' : 'LICENSE_INACTIVE';
      await this.sessions.end(sessionId, reason);
      throw notInForce(standing);
    }
    if (!stillBound) {
      // The host's binding was reset from a cabinet: its seat is another host's now.
      await this.sessions.end(sessionId, 'TERMINATED');
      throw sessionGone('TERMINATED');
    }
    if (binding) this.bindings.recordSeen(binding.bindingId);
    return { sessionId, expiresAt: beat.expiresAt, heartbeatIntervalSeconds: this.heartbeatIntervalSeconds };
  }

  /** Ends a live session and frees its seat; a session that has ended already is refused. */
  async release(sessionId: string): Promise<true> {
    assertSessionId(sessionId);
    const outcome = await this.sessions.end(sessionId, 'RELEASED');
    if (!outcome.ended) throw sessionGone(outcome.endReason);
    return true;
  }

  /** Ends expired sessions, each once, however many instances sweep; how many it ended. */
  async sweep(): Promise<number> {
    let ended = 0;
    for (;;) {
      const batch = await this.sessions.sweep(SWEEP_BATCH);
      ended += batch.ended;
      if (batch.found < SWEEP_BATCH) return ended;
    }
  }

  /** The live sessions of a key the caller may see (none of another vendor's or another client's key). */
  async findLiveByKey(scope: CabinetScope, keyId: string): Promise<LiveSession[]> {
    if (scope.keyId !== undefined && scope.keyId !== keyId) return [];
    return (await this.sessions.findLiveByKey(keyId)).filter((s) => s.vendorId === scope.vendorId);
  }

  /** Ends a live session of the vendor from the cabinet; NOT_FOUND for another vendor's. */
  async terminate(vendorId: string, sessionId: string): Promise<true> {
    if (!isUUID(sessionId)) throw new BadInputError('id', 'id is not a session id');
    const outcome = await this.sessions.end(sessionId, 'TERMINATED', vendorId);
    if (!outcome.ended) throw sessionGone(outcome.endReason, 'id');
    return true;
  }
}

function assertSessionId(sessionId: string): void {
  if (!isUUID(sessionId)) throw new BadInputError('sessionId', 'sessionId is not a session id');
}

function sessionGone(endReason: string | null, field = 'sessionId'): DomainError {
  if (endReason === null) return new NotFoundError('Session', field);
  return new DomainError(
    ErrorCode.SESSION_ENDED,
    `This session has ended (${endReason}); acquire the license again`,
    field,
    { reason: endReason },
  );
}
