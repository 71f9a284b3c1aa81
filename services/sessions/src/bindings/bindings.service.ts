import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { BindingCreated, BindingReset, createEvent } from '@licensing/events';
import { BadInputError, DomainError, ErrorCode, NotFoundError } from '@licensing/graphql';
import { enqueue, enqueueMany } from '@licensing/kafka';
import { CabinetScope, covers } from '../common/cabinet-scope';
import { InjectSessionsConfig, SessionsConfig } from '../config';
import { ReadModelService } from '../read-model/read-model.service';
import { BindingRecord } from './binding.entity';
import { BindingsRepository, DeletedBinding } from './bindings.repository';
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
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bindings: BindingsRepository,
    private readonly boundHosts: BoundHostsRepository,
    private readonly readModel: ReadModelService,
    @InjectSessionsConfig() private readonly config: SessionsConfig,
  ) {}

  /** The host's binding id: at once when bound, else a new binding if a seat is free, else 1051. */
  async bind(target: BindingTarget, host: HostDetails): Promise<string> {
    const bound = await this.boundId(target.vendorId, target.keyId, target.productId, host.fingerprint);
    if (bound) return bound;
    const binding = await this.decide(target, host);
    await this.boundHosts.add(target.keyId, target.productId, host.fingerprint, binding.id);
    return binding.id;
  }

  /** Whether a binding still holds its host (a heartbeat's question); Redis only while cached. */
  async isBound(
    ref: { vendorId: string; keyId: string; productId: string; fingerprint: string },
    bindingId: string,
  ): Promise<boolean> {
    return (await this.boundId(ref.vendorId, ref.keyId, ref.productId, ref.fingerprint)) === bindingId;
  }

  /**
   * The binding of a host, from Redis; Postgres fills the cache when it is not loaded. Rows
   * read before a reset that came in meanwhile are not trusted: the lookup starts again.
   */
  private async boundId(
    vendorId: string,
    keyId: string,
    productId: string,
    fingerprint: string,
  ): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      const cached = await this.boundHosts.find(keyId, productId, fingerprint);
      if (cached.bindingId !== undefined) return cached.bindingId;
      const all = await this.bindings.findByProduct(vendorId, keyId, productId);
      const filled = await this.boundHosts.fill(keyId, productId, cached.version, all);
      if (filled || attempt === 3) return all.find((b) => b.hostFingerprint === fingerprint)?.id ?? null;
    }
  }

  /** The bindings of a key the caller may see (none of another vendor's or another client's key). */
  async findByKey(scope: CabinetScope, keyId: string): Promise<BindingRecord[]> {
    if (scope.keyId !== undefined && scope.keyId !== keyId) return [];
    return this.bindings.findByKey(scope.vendorId, keyId);
  }

  /** Resets one binding: its seat is free, binding.reset is announced. NOT_FOUND outside the scope. */
  async reset(scope: CabinetScope, bindingId: string): Promise<true> {
    if (!isUUID(bindingId)) throw new BadInputError('id', 'id is not a binding id');
    const deleted = await this.resetWhere(scope.vendorId, (manager) =>
      this.bindings.deleteById(manager, scope.vendorId, bindingId, scope.keyId),
    );
    if (!deleted.length) throw new NotFoundError('Binding', 'id');
    return true;
  }

  /** Resets every binding of a key (of one product, when given); how many. */
  async resetAll(scope: CabinetScope, keyCode: string, productCode?: string | null): Promise<number> {
    const key = await this.readModel.findKeyByCode(keyCode);
    if (key === undefined) throw new BadInputError('keyCode', 'keyCode is not a license key');
    if (!key || !covers(scope, key.vendorId, key.keyId)) throw new NotFoundError('License key', 'keyCode');
    let productId: string | null = null;
    if (productCode) {
      const product = await this.readModel.findProductByCode(key.vendorId, productCode);
      if (!product) throw new NotFoundError(`Product ${productCode.trim()}`, 'productCode');
      productId = product.productId;
    }
    const deleted = await this.resetWhere(scope.vendorId, (manager) =>
      this.bindings.deleteByKey(manager, key.vendorId, key.keyId, productId),
    );
    return deleted.length;
  }

  /**
   * Deletes bindings and announces each in one transaction, then drops the cached bound hosts
   * of every pair touched, so no acquire lets a reset host in on the cache's word.
   */
  private async resetWhere(
    vendorId: string,
    remove: (manager: EntityManager) => Promise<DeletedBinding[]>,
  ): Promise<DeletedBinding[]> {
    const deleted = await this.dataSource.transaction(async (manager) => {
      const gone = await remove(manager);
      const events = [];
      for (const b of gone) {
        const [key, product] = await Promise.all([
          this.readModel.findKeyById(vendorId, b.keyId),
          this.readModel.findProductById(vendorId, b.productId),
        ]);
        events.push(
          createEvent(BindingReset, {
            vendorId,
            subject: b.keyId,
            data: {
              bindingId: b.id,
              keyId: b.keyId,
              keyCode: key?.code ?? '',
              productCode: product?.code ?? '',
              hostFingerprint: b.hostFingerprint,
              hostName: b.hostName,
            },
          }),
        );
      }
      await enqueueMany(manager, events);
      return gone;
    });
    const pairs = new Map(deleted.map((b) => [`${b.keyId}:${b.productId}`, b]));
    await Promise.all([...pairs.values()].map((b) => this.boundHosts.invalidate(b.keyId, b.productId)));
    return deleted;
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

  /**
   * Writes the lastSeenAt that heartbeats noted in Redis (the heartbeat script, P:seen) to
   * Postgres in one statement, then forgets what was written. The pending set lives in Redis,
   * not in a process: a crashed instance loses nothing (another's batch writes it), and two
   * instances flushing at once only write the same times twice (lastSeenAt never goes back).
   */
  async flushSeen(): Promise<number> {
    const pending = await this.boundHosts.pendingSeen();
    if (!pending.size) return 0;
    const batch = new Map<string, Date>();
    for (const [id, ms] of pending) if (isUUID(id) && Number(ms) > 0) batch.set(id, new Date(Number(ms)));
    const written = await this.bindings.saveLastSeen(batch);
    await this.boundHosts.clearSeen(pending);
    return written;
  }

  /**
   * Keeps a HOST_BINDING license's bindings within its seats after they were reduced: the
   * newest bindings over the count are reset (binding.reset), under the pair's lock. The
   * fingerprints of the hosts that lost their binding (their sessions end).
   */
  async trimToSeats(target: BindingTarget): Promise<string[]> {
    const { vendorId, keyId, productId } = target;
    const bound = await this.bindings.findByProduct(vendorId, keyId, productId);
    if (bound.length <= target.seats) return [];
    const removed = await this.resetWhere(vendorId, async (manager) => {
      await this.bindings.lockSeats(manager, keyId, productId);
      return this.bindings.deleteNewestOver(manager, vendorId, keyId, productId, target.seats);
    });
    return removed.map((b) => b.hostFingerprint);
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
