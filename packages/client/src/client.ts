import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LicensingError, SdkErrorCode } from './errors';
import { describeHost, HostDescription } from './fingerprint';
import { Transport } from './http';
import { track, untrack } from './exit';
import { CheckClaims, Jwks, LeaseClaims, VendorKeys } from './verify';

/** What runs on the host, as the sessions monitor shows it. */
export interface SessionDescription {
  infobase?: string | null;
  user?: string | null;
  processId?: string | null;
}

export interface ClientOptions {
  /** Base URL of the runtime endpoint (the sessions service), e.g. http://127.0.0.1:4003. */
  url: string;
  /** The license key, as the user typed it. */
  keyCode: string;
  /** The product this application is. */
  productCode: string;
  /**
   * The host as acquire describes it. Default: describeHost() with the fingerprint salted by
   * `fingerprintSalt`; any field given here replaces the default one (e.g. your own fingerprint).
   */
  host?: Partial<HostDescription>;
  /** Salt of the default fingerprint; default `licensing:<vendor prefix>` (vendor-specific). */
  fingerprintSalt?: string;
  /** What runs on the host; default `{ processId: <pid> }`. */
  session?: SessionDescription;
  /** The vendor's JWKS if the application ships it (pinned); fetched from the endpoint otherwise. */
  jwks?: Jwks;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Release live leases on SIGINT, SIGTERM and beforeExit; default true. */
  releaseOnExit?: boolean;
  /** After a lease expired (an outage longer than the lease), acquire again when the endpoint answers; default true. */
  reacquire?: boolean;
  /** Heartbeats go out at the interval times (1 − jitter × random); default 0.1. */
  jitter?: number;
  /** First retry delay after a failed request (doubling with jitter), default 1 s. */
  minRetryMs?: number;
  /** Longest retry delay, default 30 s. */
  maxRetryMs?: number;
  /** Keep-alive sockets to the endpoint, default 8. */
  maxSockets?: number;
}

/** The answer of a check, and whether its signature verified. */
export interface CheckResult {
  /** Support finds the check by it. */
  requestId: string;
  checkedAt: Date;
  keyCode: string;
  productCode: string;
  active: boolean;
  /** Until when, as things stood; null = perpetual or not active. */
  validUntil: Date | null;
  /** Why not; null when active. */
  reason: string | null;
  /** What the application shows. */
  message: string;
  /** The signed answer (compact JWS) to keep and verify offline later. */
  signature: string | null;
  /** The verified claims of `signature`. */
  claims: CheckClaims | null;
}

/** Why a lease was lost: 1051 no free seat, 2008 no license in force, terminated, expired. */
export type LostReason = 1051 | 2008 | 'terminated' | 'expired';

export interface LostEvent {
  reason: LostReason;
  /** The platform's code and reason behind it (SESSION_ENDED / SEATS_REDUCED, LICENSE_NOT_ON_KEY / EXPIRED, …). */
  code?: string;
  detail?: string;
  error?: LicensingError;
}

export interface RenewedEvent {
  expiresAt: Date;
  heartbeatIntervalSeconds: number;
  /** How long the heartbeat took, request to verified answer. */
  roundTripMs: number;
}

export type LeaseState = 'idle' | 'online' | 'offline' | 'reacquiring' | 'lost' | 'released';

export interface LeaseEvents {
  acquired: [Lease];
  renewed: [RenewedEvent];
  lost: [LostEvent];
  offline: [LicensingError];
  online: [];
  released: [];
}

interface AcquireAnswer {
  sessionId: string;
  heartbeatIntervalSeconds: number;
  expiresAt: string;
  token: string;
  license: { kind: 'MAIN' | 'TRIAL'; seats: number; expiresAt: string | null; product: { id: string; code: string } };
}

interface HeartbeatAnswer {
  sessionId: string;
  expiresAt: string;
  heartbeatIntervalSeconds: number;
  /** Null when the request said renewToken: false. */
  token: string | null;
}

interface CheckAnswer {
  requestId: string;
  checkedAt: string;
  keyCode: string;
  productCode: string;
  active: boolean;
  validUntil: string | null;
  reason: string | null;
  message: string;
  signature: string | null;
}

/** The vendor prefix of a key code as typed: its first four characters, as the platform reads them. */
export function vendorPrefixOf(keyCode: string): string {
  return keyCode
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015_]+/g, '')
    .slice(0, 4);
}

/**
 * One application's view of the platform: a key and a product. acquire() takes a seat and
 * keeps it (Lease), check() asks whether the product is in force, both verified with the
 * vendor's public keys.
 */
export class LicensingClient {
  readonly vendorPrefix: string;
  readonly keys: VendorKeys;
  /** @internal */
  readonly transport: Transport;
  /** @internal */
  readonly settings: Required<
    Pick<ClientOptions, 'releaseOnExit' | 'reacquire' | 'jitter' | 'minRetryMs' | 'maxRetryMs'>
  >;
  private hostDescription?: HostDescription;

  constructor(readonly options: ClientOptions) {
    if (!options.url) throw new TypeError('url is required');
    if (!options.keyCode) throw new TypeError('keyCode is required');
    if (!options.productCode) throw new TypeError('productCode is required');
    this.vendorPrefix = vendorPrefixOf(options.keyCode);
    this.transport = new Transport({ url: options.url, timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
    this.keys = new VendorKeys(this.transport, this.vendorPrefix, options.jwks);
    this.settings = {
      releaseOnExit: options.releaseOnExit ?? true,
      reacquire: options.reacquire ?? true,
      jitter: Math.min(Math.max(options.jitter ?? 0.1, 0), 0.5),
      minRetryMs: options.minRetryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? 30_000,
    };
  }

  /** The host acquire sends: the defaults of describeHost() under the options' overrides. */
  host(): HostDescription {
    this.hostDescription ??= {
      ...describeHost({ salt: this.options.fingerprintSalt ?? `licensing:${this.vendorPrefix}` }),
      ...this.options.host,
    } as HostDescription;
    return this.hostDescription;
  }

  /**
   * Takes a seat and keeps it: the lease heartbeats at the server's interval until released or
   * lost. Refusals throw LicensingError (NO_FREE_LICENSE 1051, LICENSE_NOT_ON_KEY 2008, …).
   */
  async acquire(): Promise<Lease> {
    const lease = this.lease();
    await lease.start();
    return lease;
  }

  /** A lease not yet started: attach listeners, then `await lease.start()`. */
  lease(): Lease {
    return new Lease(this);
  }

  /** Whether the product is in force on the key, recorded under a request id; the signature is verified. */
  async check(): Promise<CheckResult> {
    const answer = await this.transport.post<CheckAnswer>('runtime/v1/check', {
      keyCode: this.options.keyCode,
      productCode: this.options.productCode,
    });
    const claims = answer.signature ? await this.keys.verifyCheck(answer.signature) : null;
    if (claims && (claims.requestId !== answer.requestId || claims.active !== answer.active)) {
      throw new LicensingError(SdkErrorCode.INVALID_SIGNATURE, 'The check answer differs from its signature');
    }
    return {
      requestId: answer.requestId,
      checkedAt: new Date(answer.checkedAt),
      keyCode: answer.keyCode,
      productCode: answer.productCode,
      active: answer.active,
      validUntil: answer.validUntil ? new Date(answer.validUntil) : null,
      reason: answer.reason,
      message: answer.message,
      signature: answer.signature,
      claims,
    };
  }

  /** Verifies a lease token offline (signature, vendor, expiry); throws LicensingError. */
  verifyLease(token: string): Promise<LeaseClaims> {
    return this.keys.verifyLease(token);
  }

  /** Verifies a check signature offline; throws LicensingError. */
  verifyCheck(signature: string): Promise<CheckClaims> {
    return this.keys.verifyCheck(signature);
  }

  /** Releases a session by id (e.g. one a crashed run left); a session already ended is fine. */
  async release(sessionId: string): Promise<void> {
    try {
      await this.transport.post('runtime/v1/release', { sessionId });
    } catch (error) {
      if (error instanceof LicensingError && (error.code === 'SESSION_ENDED' || error.code === 'NOT_FOUND')) return;
      throw error;
    }
  }

  /** Closes idle connections (live leases keep working and reopen them). */
  close(): void {
    this.transport.close();
  }
}

/**
 * A seat held by heartbeats. The application is licensed while `valid` is true: until the
 * signed lease's expiry, also while the endpoint cannot be reached (`offline`), never longer.
 * Its timers do not keep the process alive.
 */
export class Lease extends EventEmitter<LeaseEvents> {
  sessionId = '';
  /** The signed lease (compact JWS) last received. */
  token = '';
  claims?: LeaseClaims;
  heartbeatIntervalSeconds = 0;
  license?: AcquireAnswer['license'];
  private deadline = 0;
  private current: LeaseState = 'idle';
  private failures = 0;
  private beatTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private readonly exitHook = { releaseOnExit: () => this.release() };

  constructor(private readonly client: LicensingClient) {
    super();
  }

  get state(): LeaseState {
    return this.current;
  }

  /** When the lease ends without another heartbeat (the signed expiry). */
  get expiresAt(): Date {
    return new Date(this.deadline);
  }

  /** Whether the application is licensed now. */
  get valid(): boolean {
    return (this.current === 'online' || this.current === 'offline') && Date.now() < this.deadline;
  }

  get online(): boolean {
    return this.current === 'online';
  }

  /** Acquires the seat (once). */
  async start(): Promise<this> {
    if (this.current !== 'idle') throw new LicensingError(SdkErrorCode.LEASE_ENDED, 'The lease was started already');
    await this.acquireOnce(randomUUID());
    this.becomeLive();
    this.emit('acquired', this);
    return this;
  }

  /** Sends a heartbeat now (the running lease sends them by itself). */
  heartbeat(): Promise<void> {
    this.inFlight ??= this.beat().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Ends the session and frees the seat; a lease already released or lost is left as it is. */
  async release(): Promise<void> {
    const state = this.current;
    if (state === 'released' || state === 'idle') return;
    this.stop('released');
    // A lost lease holds no seat; one re-acquiring holds none yet.
    if (state === 'lost' || state === 'reacquiring') return;
    await this.client.release(this.sessionId);
    this.emit('released');
  }

  private async acquireOnce(idempotencyKey: string): Promise<void> {
    const { options } = this.client;
    const sentAt = Date.now();
    const answer = await this.client.transport.post<AcquireAnswer>('runtime/v1/acquire', {
      keyCode: options.keyCode,
      productCode: options.productCode,
      host: this.client.host(),
      session: options.session ?? { processId: String(process.pid) },
      idempotencyKey,
    });
    const claims = await this.client.keys.verifyLease(answer.token);
    if (claims.sub !== answer.sessionId) {
      throw new LicensingError(SdkErrorCode.INVALID_SIGNATURE, 'The lease token is for another session');
    }
    this.sessionId = answer.sessionId;
    this.license = answer.license;
    this.adopt(answer.token, claims, answer.expiresAt, answer.heartbeatIntervalSeconds, sentAt);
  }

  private becomeLive(): void {
    this.current = 'online';
    this.failures = 0;
    if (this.client.settings.releaseOnExit) track(this.exitHook);
    this.armExpiry();
    this.schedule(this.nextBeatDelay());
  }

  /**
   * Whether the lease token held should be renewed by this heartbeat: unless it outlives two
   * more heartbeat intervals, so that the application always holds a lease good for at least
   * one interval beyond the next heartbeat (with the default grace of three intervals, every
   * other heartbeat asks for a new one; signing is most of a heartbeat's cost on the server).
   */
  private tokenRunsShort(now: number): boolean {
    if (!this.claims) return true;
    return this.claims.exp * 1000 - now < 2 * this.heartbeatIntervalSeconds * 1000;
  }

  private adopt(token: string, claims: LeaseClaims, expiresAt: string, interval: number, sentAt: number): void {
    this.token = token;
    this.claims = claims;
    this.heartbeatIntervalSeconds = interval;
    // The signed expiry on this clock, and never later than the lease's length after the request went out.
    const lifetime = (claims.exp - claims.iat) * 1000;
    this.deadline = Math.min(Date.parse(expiresAt) || claims.exp * 1000, claims.exp * 1000, sentAt + lifetime);
  }

  private async beat(): Promise<void> {
    if (this.current !== 'online' && this.current !== 'offline') return;
    const sessionId = this.sessionId;
    const sentAt = Date.now();
    try {
      const renewToken = this.tokenRunsShort(sentAt);
      const answer = await this.client.transport.post<HeartbeatAnswer>('runtime/v1/heartbeat', {
        sessionId,
        renewToken,
      });
      // No new lease (as asked): the one held stays, and so does its expiry.
      const token = answer.token ?? (renewToken ? null : this.token);
      if (!token || !this.claims) {
        throw new LicensingError(SdkErrorCode.INVALID_SIGNATURE, 'The heartbeat answered without a lease token');
      }
      const claims = token === this.token ? this.claims : await this.client.keys.verifyLease(token);
      if (claims.sub !== sessionId) {
        throw new LicensingError(SdkErrorCode.INVALID_SIGNATURE, 'The lease token is for another session');
      }
      if (this.sessionId !== sessionId || (this.current !== 'online' && this.current !== 'offline')) return;
      this.adopt(token, claims, answer.expiresAt, answer.heartbeatIntervalSeconds, sentAt);
      this.failures = 0;
      this.armExpiry();
      // A lease kept by an answer that raised the interval may not reach the next heartbeat: renew it now.
      this.schedule(answer.token === null && this.tokenRunsShort(Date.now()) ? 0 : this.nextBeatDelay());
      const wasOffline = this.current === 'offline';
      this.current = 'online';
      if (wasOffline) this.emit('online');
      this.emit('renewed', {
        expiresAt: this.expiresAt,
        heartbeatIntervalSeconds: this.heartbeatIntervalSeconds,
        roundTripMs: Date.now() - sentAt,
      });
    } catch (caught) {
      if (this.sessionId !== sessionId || (this.current !== 'online' && this.current !== 'offline')) return;
      const error = asLicensingError(caught);
      const lost = lostReasonOf(error);
      if (lost) return this.lose({ ...lost, error });
      // Unreachable, overloaded or an answer that does not verify: keep the seat on the signed lease and retry.
      this.failures++;
      this.schedule(this.retryDelay(error));
      if (this.current === 'online') {
        this.current = 'offline';
        this.emit('offline', error);
      }
    }
  }

  private expire(): void {
    if (this.current !== 'online' && this.current !== 'offline') return;
    if (Date.now() < this.deadline) return this.armExpiry();
    this.lose({ reason: 'expired', detail: 'The lease ran out without a heartbeat answered' });
    if (this.client.settings.reacquire) {
      this.current = 'reacquiring';
      this.failures = 0;
      this.reacquire(randomUUID());
    }
  }

  /** Tries to acquire again after an expiry, with backoff, until it succeeds or is refused for good. */
  private reacquire(idempotencyKey: string): void {
    this.beatTimer = setTimeout(
      () => {
        if (this.current !== 'reacquiring') return;
        this.acquireOnce(idempotencyKey).then(
          () => {
            if (this.current !== 'reacquiring') {
              void this.client.release(this.sessionId).catch(() => undefined);
              return;
            }
            this.becomeLive();
            this.emit('acquired', this);
            this.emit('online');
          },
          (caught: unknown) => {
            if (this.current !== 'reacquiring') return;
            const error = asLicensingError(caught);
            if (error.retriable || error.code === SdkErrorCode.INVALID_SIGNATURE || error.licensingCode === 1051) {
              this.failures++;
              return this.reacquire(error.licensingCode === 1051 ? randomUUID() : idempotencyKey);
            }
            const lost = lostReasonOf(error) ?? { reason: 'terminated' as const, code: error.code };
            this.lose({ ...lost, error });
          },
        );
      },
      this.failures === 0 ? 0 : this.retryDelay(),
    );
    this.beatTimer.unref();
  }

  private lose(event: LostEvent): void {
    this.stop('lost');
    this.emit('lost', event);
  }

  private stop(state: LeaseState): void {
    this.current = state;
    clearTimeout(this.beatTimer);
    clearTimeout(this.expiryTimer);
    untrack(this.exitHook);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.beatTimer);
    this.beatTimer = setTimeout(() => void this.heartbeat(), delayMs);
    this.beatTimer.unref();
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, this.deadline - Date.now()));
    this.expiryTimer.unref();
  }

  private nextBeatDelay(): number {
    return this.heartbeatIntervalSeconds * 1000 * (1 - this.client.settings.jitter * Math.random());
  }

  private retryDelay(error?: LicensingError): number {
    const { minRetryMs, maxRetryMs } = this.client.settings;
    const exponential = Math.min(maxRetryMs, minRetryMs * 2 ** Math.max(0, this.failures - 1));
    const jittered = exponential * (0.5 + Math.random() * 0.5);
    return Math.max(jittered, (error?.retryAfterSeconds ?? 0) * 1000);
  }
}

function asLicensingError(error: unknown): LicensingError {
  if (error instanceof LicensingError) return error;
  return new LicensingError(SdkErrorCode.NETWORK_ERROR, String((error as Error)?.message ?? error), {
    retriable: true,
    cause: error,
  });
}

/** The lost reason of a refusal that ends a lease; undefined for errors worth retrying. */
export function lostReasonOf(error: LicensingError): Omit<LostEvent, 'error'> | undefined {
  if (error.retriable) return undefined;
  switch (error.code) {
    case 'SESSION_ENDED':
      switch (error.reason) {
        case 'SEATS_REDUCED':
          return { reason: 1051, code: error.code, detail: error.reason };
        case 'LICENSE_INACTIVE':
        case 'KEY_DELETED':
          return { reason: 2008, code: error.code, detail: error.reason };
        case 'EXPIRED':
          return { reason: 'expired', code: error.code, detail: error.reason };
        default:
          return { reason: 'terminated', code: error.code, detail: error.reason };
      }
    case 'LICENSE_NOT_ON_KEY':
      return { reason: 2008, code: error.code, detail: error.reason };
    case 'NO_FREE_LICENSE':
      return { reason: 1051, code: error.code };
    case 'NOT_FOUND':
      return { reason: 'expired', code: error.code, detail: 'The endpoint does not know the session' };
    default:
      return undefined;
  }
}
