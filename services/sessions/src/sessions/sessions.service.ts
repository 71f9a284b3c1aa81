import { randomUUID } from 'node:crypto';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { requestHash } from '@licensing/database';
import { SessionEndReason } from '@licensing/events';
import { BadInputError, ConflictError, DomainError, ErrorCode, NotFoundError } from '@licensing/graphql';
import type { HealthCheck, HealthCheckProvider } from '@licensing/platform';
import { BindingsService, HostDetails } from '../bindings/bindings.service';
import { CabinetScope } from '../common/cabinet-scope';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { LicenseStanding } from '../read-model/license-standing';
import { KeyChange, ReadModelService } from '../read-model/read-model.service';
import { SigningService } from '../signing/signing.service';
import { HeartbeatIntervalsRepository } from './heartbeat-intervals.repository';
import { SessionEventRelay } from './session-events.relay';
import {
  AcquireIdempotency,
  AcquireOutcome,
  HeartbeatTiming,
  LiveSession,
  NewSession,
  ProductChange,
  SessionsRepository,
} from './sessions.repository';

export interface AcquireRequest {
  keyCode: string;
  productCode: string;
  host: HostDetails;
  session?: { infobase?: string | null; user?: string | null; processId?: string | null } | null;
  /** A retry with the same key and input answers the first acquire's session (24 h). */
  idempotencyKey?: string | null;
}

/** A product's heartbeat interval as its vendor set it. */
export interface ProductHeartbeatInterval {
  productId: string;
  /** The product's own interval, or the default. */
  seconds: number;
  /** Whether it is the service's default (the vendor set none). */
  isDefault: boolean;
}

/** A seat taken: the session, until when it holds without a heartbeat, and the license it uses. */
export interface Lease {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  standing: LicenseStanding;
  /** The signed lease (signing/claims.ts). */
  token: string;
}

export interface HeartbeatAnswer {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  /** A fresh signed lease with the new expiry; null when none was asked for. */
  token: string | null;
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
export class SessionsService implements OnApplicationBootstrap, HealthCheckProvider {
  constructor(
    private readonly readModel: ReadModelService,
    private readonly bindings: BindingsService,
    private readonly signing: SigningService,
    private readonly sessions: SessionsRepository,
    private readonly intervals: HeartbeatIntervalsRepository,
    private readonly relay: SessionEventRelay,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {}

  /** How heartbeat intervals and expiries are chosen (the scripts apply it). */
  private get timing(): HeartbeatTiming {
    return {
      defaultIntervalSeconds: this.config.HEARTBEAT_INTERVAL_SECONDS,
      loadFactor: this.config.HEARTBEAT_LOAD_FACTOR,
      graceIntervals: this.config.HEARTBEAT_GRACE_INTERVALS,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readModel.onKeyChange((change) => this.applyKeyChange(change));
    if (!process.env['WRITE_SCHEMA_TO']) await this.intervals.mirrorAll();
  }

  /** The relay's readiness: not critical (sessions start and end without Kafka; events wait). */
  healthChecks(): HealthCheck[] {
    return [{ name: 'session-events-relay', critical: false, check: () => this.relay.health() }];
  }

  async acquire(request: AcquireRequest): Promise<Lease> {
    for (let attempt = 1; ; attempt++) {
      const standing = await this.readModel.standing(request.keyCode, request.productCode);
      if (!standing.active) throw notInForce(standing);
      const outcome = await this.take(standing, request);
      if (outcome.taken) {
        const seat = {
          sessionId: outcome.sessionId,
          expiresAt: outcome.expiresAt,
          heartbeatIntervalSeconds: outcome.intervalSeconds,
        };
        const token = await this.signing.signLease(standing, { ...seat, hostFingerprint: request.host.fingerprint });
        return { ...seat, standing, token };
      }
      if ('reused' in outcome) {
        throw new ConflictError('idempotencyKey was used before with another input', 'input.idempotencyKey');
      }
      if ('endedSession' in outcome) throw sessionGone(outcome.endedSession.endReason, 'input.idempotencyKey');
      // A license change came in after the read: read again (once) and decide on what holds now.
      if ('notInForce' in outcome && attempt < 2) continue;
      if ('notInForce' in outcome) {
        throw notInForce({ ...standing, message: 'The license changed while the seat was decided; try again' });
      }
      const per = standing.licenseModel === 'CONCURRENT_HOSTS' ? 'hosts' : 'sessions';
      throw new DomainError(
        ErrorCode.NO_FREE_LICENSE,
        `No free license of ${standing.productCode}: all ${standing.seats} seat(s) are in use by other ${per}. ` +
          'Try again when one is released.',
        'input',
        { seats: standing.seats },
      );
    }
  }

  /** One seat decision (a binding first for HOST_BINDING), under the request's idempotency key. */
  private async take(standing: LicenseStanding, request: AcquireRequest): Promise<AcquireOutcome> {
    const { host } = request;
    // The signing key at hand before a seat is taken, so signing the lease cannot fail for want of it.
    await this.signing.prepare(standing.vendorId, standing.keyCode);
    const bindingId = standing.licenseModel === 'HOST_BINDING' ? await this.bindings.bind(standing, host) : '';
    const session: NewSession = {
      sessionId: randomUUID(),
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
    };
    const idempotency: AcquireIdempotency | undefined = request.idempotencyKey
      ? {
          vendorId: standing.vendorId,
          keyId: standing.keyId,
          key: request.idempotencyKey,
          // The same input: the product and everything the session would record of its host and user.
          requestHash: requestHash({
            productId: session.productId,
            fp: session.fp,
            hostName: session.hostName,
            hostOs: session.hostOs,
            hostIp: session.hostIp,
            platformVersion: session.platformVersion,
            infobase: session.infobase,
            user: session.user,
            processId: session.processId,
          }),
        }
      : undefined;
    return this.sessions.acquire(session, standing.seats, this.timing, idempotency);
  }

  /**
   * Extends a live session. An ended or expired one gets SESSION_ENDED (acquire again); one
   * whose license is no longer in force ends now and gets 2008 with the reason.
   * `signLease: false` leaves the lease token out (null): the caller holds one that is still
   * good (the runtime's renewToken: false), or did not ask for it (a GraphQL heartbeat that
   * does not select token). Signing is most of a heartbeat's cost.
   */
  async heartbeat(sessionId: string, { signLease = true }: { signLease?: boolean } = {}): Promise<HeartbeatAnswer> {
    assertSessionId(sessionId);
    const beat = await this.sessions.heartbeat(sessionId, this.timing);
    if (!beat.alive) throw sessionGone(beat.endReason);
    const { binding } = beat;
    const [standing, stillBound] = await Promise.all([
      this.readModel.recentStanding(beat.keyCode, beat.productCode),
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
    const seat = { sessionId, expiresAt: beat.expiresAt, heartbeatIntervalSeconds: beat.intervalSeconds };
    // The host is known here for bound hosts only: the lease states it when it is (docs/signing.md).
    const token = signLease
      ? await this.signing.signLease(standing, { ...seat, hostFingerprint: binding?.fingerprint ?? null })
      : null;
    return { ...seat, token };
  }

  /**
   * Applies a license change from the keys service to the key's live sessions at once: a
   * product no longer in force ends all its sessions (LICENSE_INACTIVE, KEY_DELETED); seats
   * reduced below the holders end the newest over the count (SEATS_REDUCED), and for
   * HOST_BINDING the newest bindings over the count are reset first. Safe to repeat (a
   * redelivered event ends nothing more) and with several instances (one script per key).
   */
  async applyKeyChange(change: KeyChange): Promise<number> {
    const inUse = await this.sessions.productsInUse(change.keyId);
    const productIds = [...new Set([...change.productIds, ...inUse])];
    const changes: ProductChange[] = [];
    for (const productId of productIds) {
      const standing = await this.readModel.standingById(change.keyCode, productId);
      if (!standing) continue;
      const seats = standing.active ? standing.seats : 0;
      const hosts =
        standing.licenseModel === 'HOST_BINDING' && seats > 0 ? await this.bindings.trimToSeats(standing) : [];
      changes.push({
        productId,
        seats,
        reason: standing.reason === 'KEY_DELETED' ? 'KEY_DELETED' : 'LICENSE_INACTIVE',
        hosts,
      });
    }
    return this.sessions.reconcile(change.keyId, changes);
  }

  /** A product's heartbeat interval (its own, or the default); NOT_FOUND for another vendor's product. */
  async heartbeatInterval(vendorId: string, productId: string): Promise<ProductHeartbeatInterval> {
    if (!(await this.readModel.findProductById(vendorId, productId))) throw new NotFoundError('Product', 'productId');
    const own = await this.intervals.findByProduct(vendorId, productId);
    return own
      ? { productId, seconds: own.seconds, isDefault: false }
      : { productId, seconds: this.config.HEARTBEAT_INTERVAL_SECONDS, isDefault: true };
  }

  /**
   * Sets a product's own heartbeat interval (null: back to the default). Sessions get it at
   * their next acquire or heartbeat, times the load factor.
   */
  async setHeartbeatInterval(
    vendorId: string,
    productId: string,
    seconds: number | null,
  ): Promise<ProductHeartbeatInterval> {
    if (!(await this.readModel.findProductById(vendorId, productId))) throw new NotFoundError('Product', 'productId');
    await this.intervals.save(vendorId, productId, seconds);
    return this.heartbeatInterval(vendorId, productId);
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
