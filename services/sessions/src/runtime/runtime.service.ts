import { Injectable } from '@nestjs/common';
import { DomainError } from '@licensing/graphql';
import { ChecksService } from '../checks/checks.service';
import { CheckLicenseInput } from '../checks/dto/check-license.input';
import { AcquireLicenseInput } from '../sessions/dto/acquire-license.input';
import { SessionsService } from '../sessions/sessions.service';
import { leaseView } from '../sessions/sessions.types';
import type { Jwks } from '../signing/jwks';
import { SigningService } from '../signing/signing.service';
import { plainAcquireInput, plainCheckInput } from './plain-input';
import { bodyObject, heartbeatOf, requireObject, sessionIdOf, validInput } from './runtime.input';

/** What POST /runtime/v1/acquire answers (openapi.json, `Lease`). */
export interface RuntimeLease {
  sessionId: string;
  heartbeatIntervalSeconds: number;
  expiresAt: Date;
  token: string;
  license: {
    kind: 'MAIN' | 'TRIAL';
    seats: number;
    expiresAt: Date | null;
    product: { id: string; code: string };
  };
}

/** What POST /runtime/v1/heartbeat answers. */
export interface RuntimeHeartbeat {
  sessionId: string;
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  /** A new signed lease; null when the body said renewToken: false. */
  token: string | null;
}

/** What POST /runtime/v1/check answers: the recorded check, as GraphQL's LicenseCheck. */
export interface RuntimeCheck {
  requestId: string;
  checkedAt: Date;
  keyCode: string;
  productCode: string;
  active: boolean;
  validUntil: Date | null;
  reason: string | null;
  message: string;
  signature: string | null;
}

/**
 * The four application operations for the lean runtime endpoint (runtime.controller.ts): each
 * takes the parsed JSON body, validates it with the GraphQL inputs' rules and makes the same
 * one call of SessionsService or ChecksService the GraphQL mutations make, so the rules, seat
 * decisions and coded errors are theirs. Errors are DomainErrors whose field names the body
 * path (`host.fingerprint`, not `input.host.fingerprint`).
 */
@Injectable()
export class RuntimeService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly checks: ChecksService,
    private readonly signing: SigningService,
  ) {}

  async acquire(body: unknown): Promise<RuntimeLease> {
    const fields = bodyObject(body);
    requireObject(fields['host'], 'host');
    requireObject(fields['session'], 'session', true);
    const input = plainAcquireInput(fields) ?? validInput(AcquireLicenseInput, fields);
    const lease = await bodyFields(this.sessions.acquire(input));
    const view = leaseView(lease);
    return {
      sessionId: view.sessionId,
      heartbeatIntervalSeconds: view.heartbeatIntervalSeconds,
      expiresAt: view.expiresAt,
      token: lease.token,
      license: {
        kind: view.license.kind,
        seats: view.license.seats,
        expiresAt: view.license.expiresAt,
        product: { id: lease.standing.productId, code: lease.standing.productCode },
      },
    };
  }

  async heartbeat(body: unknown): Promise<RuntimeHeartbeat> {
    const { sessionId, renewToken } = heartbeatOf(bodyObject(body));
    const beat = await bodyFields(this.sessions.heartbeat(sessionId, { signLease: renewToken }));
    return {
      sessionId: beat.sessionId,
      expiresAt: beat.expiresAt,
      heartbeatIntervalSeconds: beat.heartbeatIntervalSeconds,
      token: beat.token,
    };
  }

  async release(body: unknown): Promise<{ released: true }> {
    await bodyFields(this.sessions.release(sessionIdOf(bodyObject(body))));
    return { released: true };
  }

  /** The vendor's public signing keys, by its key-code prefix (an unknown vendor has none). */
  jwks(vendorPrefix: string): Promise<Jwks> {
    return this.signing.jwksFor(vendorPrefix);
  }

  async check(body: unknown): Promise<RuntimeCheck> {
    const fields = bodyObject(body);
    const input = plainCheckInput(fields) ?? validInput(CheckLicenseInput, fields);
    const view = await bodyFields(this.checks.check(input));
    return {
      requestId: view.requestId,
      checkedAt: view.checkedAt,
      keyCode: view.keyCode,
      productCode: view.productCode,
      active: view.active,
      validUntil: view.validUntil,
      reason: view.reason,
      message: view.message,
      signature: view.signature,
    };
  }
}

/**
 * The domain services name fields as GraphQL arguments do (`input.keyCode`); the runtime's
 * body is the input itself, so its errors name `keyCode`.
 */
async function bodyFields<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof DomainError && error.field?.startsWith('input')) {
      const field = error.field.replace(/^input\.?/, '') || undefined;
      throw new DomainError(error.code, error.message, field, error.details);
    }
    throw error;
  }
}
