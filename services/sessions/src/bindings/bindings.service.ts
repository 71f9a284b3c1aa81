import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BindingCreated, createEvent } from '@licensing/events';
import { DomainError, ErrorCode } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { BindingRecord } from './binding.entity';
import { BindingsRepository } from './bindings.repository';
import { BoundHostsRepository } from './bound-hosts.repository';

/** The (key, product) a binding is for, as the license standing names it. */
export interface BindingTarget {
  vendorId: string;
  keyId: string;
  keyCode: string;
  productId: string;
  productCode: string;
  /** Seats in force now. */
  seats: number;
}

export interface HostDetails {
  fingerprint: string;
  name?: string | null;
  os?: string | null;
  ip?: string | null;
  platformVersion?: string | null;
}

/**
 * Host bindings of HOST_BINDING licenses (docs: host bindings and seat counting). A bound
 * host is found in Redis; a new host takes a free seat in one Postgres transaction that holds
 * the (key, product)'s advisory lock while it counts and inserts, so parallel hosts on any
 * number of instances can never bind more hosts than seats. The binding and binding.created
 * commit together (outbox). lastSeenAt reaches Postgres in batches, not per heartbeat.
 */
@Injectable()
export class BindingsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Bindings');
  private seen = new Map<string, Date>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bindings: BindingsRepository,
    private readonly boundHosts: BoundHostsRepository,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {}

  /** The host's binding id: at once when bound, else a new binding if a seat is free, else 1051. */
  async bind(target: BindingTarget, host: HostDetails): Promise<string> {
    const cached = await this.boundHosts.find(target.keyId, target.productId, host.fingerprint);
    if (cached.bindingId) return cached.bindingId;
    if (cached.bindingId === undefined) {
      const all = await this.bindings.findByProduct(target.vendorId, target.keyId, target.productId);
      await this.boundHosts.fill(target.keyId, target.productId, cached.version, all);
      const mine = all.find((b) => b.hostFingerprint === host.fingerprint);
      if (mine) return mine.id;
    }
    const binding = await this.decide(target, host);
    await this.boundHosts.add(target.keyId, target.productId, host.fingerprint, binding.id);
    return binding.id;
  }

  /** The seat decision: under the pair's lock, the host's binding, or a new one if a seat is free. */
  private decide(target: BindingTarget, host: HostDetails): Promise<BindingRecord> {
    return this.dataSource.transaction(async (manager) => {
      const { vendorId, keyId, productId } = target;
      await this.bindings.lockSeats(manager, keyId, productId);
      const existing = await this.bindings.findByHost(vendorId, keyId, productId, host.fingerprint, manager);
      if (existing) return existing;
      const bound = await this.bindings.countByProduct(vendorId, keyId, productId, manager);
      if (bound >= target.seats) {
        throw new DomainError(
          ErrorCode.NO_FREE_LICENSE,
          `No free license of ${target.productCode}: all ${target.seats} seat(s) are bound to other hosts. ` +
            'Reset a binding in the cabinet, then try again on this host.',
          'input.host.fingerprint',
          { seats: target.seats },
        );
      }
      const binding = await this.bindings.insert(manager, {
        id: randomUUID(),
        vendorId,
        keyId,
        productId,
        hostFingerprint: host.fingerprint,
        hostName: host.name ?? null,
        hostOs: host.os ?? null,
        hostIp: host.ip ?? null,
        hostPlatformVersion: host.platformVersion ?? null,
      });
      await enqueue(
        manager,
        createEvent(BindingCreated, {
          vendorId,
          subject: keyId,
          data: {
            bindingId: binding.id,
            keyId,
            keyCode: target.keyCode,
            productCode: target.productCode,
            hostFingerprint: binding.hostFingerprint,
            hostName: binding.hostName,
          },
        }),
      );
      return binding;
    });
  }

  /** Notes that a bound host was seen (a heartbeat); written to Postgres with the next batch. */
  recordSeen(bindingId: string, at = new Date()): void {
    this.seen.set(bindingId, at);
  }

  /** Writes the lastSeenAt noted since the previous batch, in one statement. */
  async flushSeen(): Promise<number> {
    const batch = this.seen;
    this.seen = new Map();
    return this.bindings.saveLastSeen(batch);
  }

  findByProduct(vendorId: string, keyId: string, productId: string): Promise<BindingRecord[]> {
    return this.bindings.findByProduct(vendorId, keyId, productId);
  }

  onApplicationBootstrap(): void {
    const every = this.config.BINDING_SEEN_FLUSH_MS;
    if (!every) return;
    this.timer = setInterval(() => {
      this.flushSeen().catch((error: unknown) => this.logger.warn(`lastSeenAt batch failed: ${String(error)}`));
    }, every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flushSeen().catch(() => undefined);
  }
}
