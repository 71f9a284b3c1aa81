import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { LICENSE_KINDS, LICENSE_MODELS } from '@licensing/events';
import { REDIS } from '@licensing/platform';
import { InjectSessionsConfig, redisPrefix, SessionsConfig } from '../config';
import { Catalogue, CatalogueProduct, KeySnapshot } from './license-standing';

/** A key stays cached this long after it was last loaded or changed. */
const SNAPSHOT_TTL_SECONDS = 86_400;
/** An unknown key code is remembered this briefly (key.created replaces it at once). */
const MISSING_TTL_SECONDS = 10;
const MISSING = '-';
/** Marks a catalogue loaded in full; product codes cannot contain "~". */
const LOADED = '~loaded';

/**
 * The read model in Redis, so that acquires, heartbeats and checks of a key touch Redis
 * only: one snapshot per key (its licenses) and one catalogue hash per vendor prefix (a
 * field per product). The event handler writes what it has just stored (write-through,
 * unconditionally); a reader that misses loads Postgres and fills in only what is still
 * missing (SET NX, HSETNX), so a reader's older view never overwrites the handler's.
 */
@Injectable()
export class LicenseCacheRepository {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @InjectSessionsConfig() config: SessionsConfig,
  ) {
    this.prefix = `${redisPrefix(config)}:lic`;
  }

  private keyOf(code: string): string {
    return `${this.prefix}:key:${code}`;
  }

  private catalogueOf(vendorPrefix: string): string {
    return `${this.prefix}:cat:${vendorPrefix}`;
  }

  /**
   * The key (null: known not to exist; undefined: not cached) and its vendor's catalogue
   * (undefined: not cached in full). Two plain commands rather than a pipeline: the client's
   * auto-pipelining writes them with every other command of this turn of the event loop in
   * one socket write (an explicit pipeline writes each command itself: a tenth of a busy
   * instance's time went to those writes).
   */
  async read(
    code: string,
    vendorPrefix: string,
  ): Promise<{ snapshot: KeySnapshot | null | undefined; catalogue: Catalogue | undefined }> {
    const [rawKey, rawCatalogue] = await Promise.all([
      this.redis.get(this.keyOf(code)),
      this.redis.hgetall(this.catalogueOf(vendorPrefix)),
    ]);
    return { snapshot: parseSnapshot(rawKey), catalogue: parseCatalogue(rawCatalogue) };
  }

  /** The handler's write: what the key is now (null: it does not exist). */
  async writeKey(code: string, snapshot: KeySnapshot | null): Promise<void> {
    await this.redis.set(this.keyOf(code), serialize(snapshot), 'EX', ttlOf(snapshot));
  }

  /** A reader's fill after a miss: only when nothing was written since. */
  async fillKey(code: string, snapshot: KeySnapshot | null): Promise<void> {
    await this.redis.set(this.keyOf(code), serialize(snapshot), 'EX', ttlOf(snapshot), 'NX');
  }

  /** The handler's write of one product. */
  async writeProduct(vendorPrefix: string, product: CatalogueProduct): Promise<void> {
    await this.redis.hset(this.catalogueOf(vendorPrefix), product.code, JSON.stringify(product));
  }

  /** The handler's write of a whole catalogue (a vendor learnt late). */
  async writeCatalogue(vendorPrefix: string, products: readonly CatalogueProduct[]): Promise<void> {
    const fields = products.flatMap((p) => [p.code, JSON.stringify(p)]);
    await this.redis.hset(this.catalogueOf(vendorPrefix), ...fields, LOADED, '1');
  }

  /** A reader's fill after a miss: products the handler wrote meanwhile stay as it wrote them. */
  async fillCatalogue(vendorPrefix: string, products: readonly CatalogueProduct[]): Promise<void> {
    const key = this.catalogueOf(vendorPrefix);
    const multi = this.redis.multi();
    for (const p of products) multi.hsetnx(key, p.code, JSON.stringify(p));
    multi.hset(key, LOADED, '1');
    await multi.exec();
  }
}

function serialize(snapshot: KeySnapshot | null): string {
  return snapshot ? JSON.stringify(snapshot) : MISSING;
}

function ttlOf(snapshot: KeySnapshot | null): number {
  return snapshot ? SNAPSHOT_TTL_SECONDS : MISSING_TTL_SECONDS;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The cached snapshot, checked field by field (the cache is data from outside this process). */
export function parseSnapshot(raw: unknown): KeySnapshot | null | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (raw === MISSING) return null;
  const value: unknown = isString(raw) ? JSON.parse(raw) : undefined;
  if (
    !isRecord(value) ||
    !isString(value['keyId']) ||
    !isString(value['vendorId']) ||
    !isString(value['code']) ||
    typeof value['deleted'] !== 'boolean' ||
    !Array.isArray(value['licenses'])
  ) {
    return undefined;
  }
  const listed: unknown[] = value['licenses'];
  const licenses: KeySnapshot['licenses'] = [];
  for (const l of listed) {
    if (
      !isRecord(l) ||
      !isString(l['id']) ||
      !isString(l['productId']) ||
      !LICENSE_KINDS.some((k) => k === l['kind']) ||
      !isTime(l['seats']) ||
      !isTime(l['startsAt']) ||
      !(l['expiresAt'] === null || isTime(l['expiresAt'])) ||
      typeof l['active'] !== 'boolean'
    ) {
      return undefined;
    }
    licenses.push({
      id: l['id'],
      productId: l['productId'],
      kind: LICENSE_KINDS.find((k) => k === l['kind'])!,
      seats: l['seats'],
      startsAt: l['startsAt'],
      expiresAt: l['expiresAt'],
      active: l['active'],
    });
  }
  return {
    keyId: value['keyId'],
    vendorId: value['vendorId'],
    code: value['code'],
    deleted: value['deleted'],
    licenses,
  };
}

/** The cached catalogue, or undefined unless it was loaded in full. */
export function parseCatalogue(raw: unknown): Catalogue | undefined {
  if (!isRecord(raw) || raw[LOADED] === undefined) return undefined;
  const catalogue = new Map<string, CatalogueProduct>();
  for (const [code, text] of Object.entries(raw)) {
    if (code === LOADED || !isString(text)) continue;
    const p: unknown = JSON.parse(text);
    const model = isRecord(p) ? LICENSE_MODELS.find((m) => m === p['licenseModel']) : undefined;
    if (!isRecord(p) || !isString(p['productId']) || !model) return undefined;
    const requires = p['requiresProductCode'];
    catalogue.set(code, {
      productId: p['productId'],
      code,
      licenseModel: model,
      requiresProductCode: isString(requires) ? requires : null,
    });
  }
  return catalogue;
}
