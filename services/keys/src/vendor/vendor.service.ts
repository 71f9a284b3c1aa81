import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import {
  API_KEY_REVOKED_CHANNEL,
  ApiKeyRevoked,
  ApiKeyRevokedData,
  createEvent,
  VendorCreated,
} from '@licensing/events';
import { BadInputError, ConflictError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { isUniqueViolation } from '@licensing/database';
import { REDIS } from '@licensing/platform';
import { ApiKey } from './api-key.entity';
import { generateApiKey, hashApiKey } from './api-key.secret';
import { CreateVendorInput, CreateVendorPayload } from './dto/create-vendor.input';
import { Vendor } from './vendor.entity';
import { VendorRepository } from './vendor.repository';

@Injectable()
export class VendorService {
  private readonly logger = new Logger('VendorService');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vendors: VendorRepository,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** A vendor's prefix never changes, so each instance keeps the ones it has read. */
  private readonly prefixes = new Map<string, string>();

  listAll(): Promise<Vendor[]> {
    return this.vendors.findAll();
  }

  findById(vendorId: string): Promise<Vendor | null> {
    return this.vendors.findById(vendorId);
  }

  findByPrefix(prefix: string): Promise<Vendor | null> {
    return this.vendors.findByPrefix(prefix);
  }

  /** The vendor's prefix; empty for an unknown vendor. */
  async prefixOf(vendorId: string): Promise<string> {
    let prefix = this.prefixes.get(vendorId);
    if (!prefix) {
      prefix = (await this.vendors.findById(vendorId))?.prefix ?? '';
      if (prefix) this.prefixes.set(vendorId, prefix);
    }
    return prefix;
  }

  /** Creates the vendor, its first API key and the vendor.created event in one transaction. */
  async create(input: CreateVendorInput): Promise<CreateVendorPayload> {
    const secret = generateApiKey(input.prefix);
    try {
      const vendor = await this.dataSource.transaction(async (manager) => {
        const created = await this.vendors.insert({ prefix: input.prefix, name: input.name }, manager);
        await this.vendors.insertApiKey(
          created.id,
          { keyHash: secret.hash, displayPrefix: secret.displayPrefix },
          manager,
        );
        await enqueue(
          manager,
          createEvent(VendorCreated, {
            vendorId: created.id,
            subject: created.id,
            data: { vendorId: created.id, prefix: created.prefix, name: created.name },
          }),
        );
        return created;
      });
      return { vendor, apiKey: secret.key };
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`The prefix ${input.prefix} belongs to another vendor`, 'input.prefix');
      }
      throw error;
    }
  }

  /** Issues another API key for a vendor (rotation, a lost key); shown once, stored hashed. */
  async createApiKey(vendorId: string): Promise<string> {
    const vendor = await this.vendors.findById(vendorId);
    if (!vendor) throw new NotFoundError('Vendor', 'vendorId');
    const secret = generateApiKey(vendor.prefix);
    await this.dataSource.transaction((manager) =>
      this.vendors.insertApiKey(vendorId, { keyHash: secret.hash, displayPrefix: secret.displayPrefix }, manager),
    );
    return secret.key;
  }

  /** A vendor's API keys, revoked ones too, oldest first. */
  async listApiKeys(vendorId: string): Promise<ApiKey[]> {
    if (!isUUID(vendorId)) throw new BadInputError('vendorId', 'vendorId must be an id');
    return this.vendors.findApiKeys(vendorId);
  }

  /**
   * Revokes an API key of the vendor (`vendorId` undefined: of any vendor, for the operator):
   * the row and `api-key.revoked` in one transaction, then the same news on Redis for the
   * gateways' caches, before answering. Revoking a revoked key changes nothing and answers
   * the key; another vendor's key is NOT_FOUND.
   */
  async revokeApiKey(vendorId: string | undefined, id: string): Promise<ApiKey> {
    if (!isUUID(id)) throw new BadInputError('id', 'id must be an id');
    const revoked = await this.dataSource.transaction(async (manager) => {
      const key = await this.vendors.revokeApiKey(vendorId, id, manager);
      if (key) {
        await enqueue(
          manager,
          createEvent(ApiKeyRevoked, { vendorId: key.vendorId, subject: key.id, data: revocationOf(key) }),
        );
      }
      return key;
    });
    if (!revoked) {
      const existing = await this.vendors.findApiKeyById(vendorId, id);
      if (!existing) throw new NotFoundError('API key', 'id');
      return existing;
    }
    await this.announceRevocation(revocationOf(revoked));
    return revoked;
  }

  /**
   * Tells every gateway at once (Redis pub/sub), so the very next request with the key is
   * refused. Best effort: when Redis fails the gateways' cache lifetime (30 s) bounds how long
   * the key may still pass, and the outbox event is the durable record.
   */
  private async announceRevocation(data: ApiKeyRevokedData): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.redis.publish(API_KEY_REVOKED_CHANNEL, JSON.stringify(data)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1_000);
        }),
      ]);
    } catch (error) {
      this.logger.warn(`API key ${data.apiKeyId} revoked, but the gateways were not told at once: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The gateway's API key lookup. It also records the use, at most once a minute per key
   * (the gateway caches what it resolved, so this runs once per key and cache lifetime).
   */
  async resolveApiKey(apiKey: string): Promise<{ vendorId: string; apiKeyId: string } | null> {
    const found = await this.vendors.findActiveApiKeyByHash(hashApiKey(apiKey));
    if (!found) return null;
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() >= 60_000) {
      await this.vendors.touchApiKey(found.id);
    }
    return { vendorId: found.vendorId, apiKeyId: found.id };
  }
}

function revocationOf(key: ApiKey): ApiKeyRevokedData {
  return {
    apiKeyId: key.id,
    vendorId: key.vendorId,
    prefix: key.displayPrefix,
    revokedAt: (key.revokedAt ?? new Date()).toISOString(),
  };
}
