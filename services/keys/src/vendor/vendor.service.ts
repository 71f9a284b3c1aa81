import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createEvent, VendorCreated } from '@licensing/events';
import { ConflictError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { isUniqueViolation } from '@licensing/database';
import { generateApiKey, hashApiKey } from './api-key.secret';
import { CreateVendorInput, CreateVendorPayload } from './dto/create-vendor.input';
import { Vendor } from './vendor.entity';
import { VendorRepository } from './vendor.repository';

@Injectable()
export class VendorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vendors: VendorRepository,
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

  /** The gateway's API key lookup. */
  async resolveApiKey(apiKey: string): Promise<{ vendorId: string; apiKeyId: string } | null> {
    const found = await this.vendors.findActiveApiKeyByHash(hashApiKey(apiKey));
    return found ? { vendorId: found.vendorId, apiKeyId: found.id } : null;
  }
}
