import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { generateCode, normalizeKeyCode } from '@licensing/domain';
import {
  createEvent,
  EventDefinition,
  KeyCreated,
  KeyData,
  KeyDeleted,
  KeyOrigin,
  KeyUpdated,
} from '@licensing/events';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { assertPageSize, decodeCursor, encodeCursor } from '@licensing/platform';
import { isUniqueViolation } from '@licensing/database';
import { DistributorRepository } from '../distributor/distributor.repository';
import { ProductRepository } from '../product/product.repository';
import { StaffRepository } from '../staff/staff.repository';
import { Vendor } from '../vendor/vendor.entity';
import { VendorRepository } from '../vendor/vendor.repository';
import { Client } from './client.entity';
import {
  ClientInput,
  CreateLicenseKeyInput,
  LicenseKeyConnection,
  LicenseKeyFilter,
  UpdateLicenseKeyInput,
} from './dto/license-key.inputs';
import { LicenseKey, searchTermOf } from './license-key.entity';
import { LicenseKeyRepository } from './license-key.repository';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export interface NewKey {
  client: ClientInput;
  distributorId?: string | null;
  managerId?: string | null;
  comment?: string | null;
  origin: KeyOrigin;
}

export function keyEventData(key: LicenseKey, client: Client): KeyData {
  return {
    keyId: key.id,
    code: key.code,
    clientId: client.id,
    company: client.company,
    contactName: client.contactName,
    email: client.email,
    distributorId: key.distributorId,
    managerId: key.managerId,
    origin: key.origin,
  };
}

/** Text fields equal after trimming and ignoring case. */
const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

@Injectable()
export class LicenseKeyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: LicenseKeyRepository,
    private readonly vendors: VendorRepository,
    private readonly distributors: DistributorRepository,
    private readonly staff: StaffRepository,
    private readonly products: ProductRepository,
  ) {}

  /** A vendor's prefix never changes, so each instance keeps the ones it has read. */
  private readonly prefixes = new Map<string, string>();

  private async prefixOf(vendorId: string): Promise<string> {
    let prefix = this.prefixes.get(vendorId);
    if (!prefix) {
      prefix = (await this.vendors.findById(vendorId))?.prefix ?? '';
      if (prefix) this.prefixes.set(vendorId, prefix);
    }
    return prefix;
  }

  findById(vendorId: string | undefined, id: string): Promise<LicenseKey | null> {
    return this.keys.findById(vendorId, id);
  }

  /** The caller vendor's key by its code as typed; another vendor's key is "not found". */
  async getByCode(vendorId: string, typed: string, field = 'code'): Promise<LicenseKey> {
    const code = normalizeKeyCode(typed);
    if (!code)
      throw new BadInputError(field, `${field} is not a well-formed license key (PPPP-XXXXX-XXXXX-XXXXX-XXXXX)`);
    const key = await this.keys.findByCode(code);
    if (!key || key.vendorId !== vendorId) throw new NotFoundError('License key', field);
    return key;
  }

  /** Any vendor's key by code, for callers whose credential is the key itself. */
  findByTypedCode(typed: string, manager?: EntityManager): Promise<LicenseKey | null> | null {
    const code = normalizeKeyCode(typed);
    return code ? this.keys.findByCode(code, manager) : null;
  }

  async getClient(key: LicenseKey): Promise<Client> {
    if (key.client) return key.client;
    const client = await this.keys.findClient(key.vendorId, key.clientId);
    if (!client) throw new Error(`client ${key.clientId} of key ${key.id} is missing`);
    return client;
  }

  async search(
    vendorId: string,
    filter: LicenseKeyFilter | undefined,
    first = DEFAULT_PAGE,
    after?: string | null,
  ): Promise<LicenseKeyConnection> {
    assertPageSize(first, MAX_PAGE);
    const afterSeq = after ? decodeCursor('k', after) : undefined;
    let productId: string | undefined;
    if (filter?.productCode) {
      const product = await this.products.findByCode(vendorId, filter.productCode);
      if (!product) return { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
      productId = product.id;
    }
    let search: string | undefined;
    if (filter?.search) {
      search = searchTermOf(filter.search, await this.prefixOf(vendorId));
      if (!search)
        throw new BadInputError('filter.search', 'search needs at least 3 characters of the key after its prefix');
    }
    const { keys, total } = await this.keys.search(
      vendorId,
      { search, distributorId: filter?.distributorId, productId },
      first,
      afterSeq,
    );
    const page = keys.slice(0, first);
    const edges = page.map((node) => ({ cursor: encodeCursor('k', node.seq), node }));
    return {
      totalCount: total,
      edges,
      pageInfo: { hasNextPage: keys.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  async create(vendorId: string, input: CreateLicenseKeyInput): Promise<LicenseKey> {
    const vendor = await this.vendors.findById(vendorId);
    if (!vendor) throw new NotFoundError('Vendor');
    return this.dataSource.transaction(async (manager) => {
      await this.assertRefs(manager, vendorId, input, 'input.');
      return this.issue(manager, vendor, { ...input, origin: 'CABINET' });
    });
  }

  /**
   * Issues a new key with a new client, and announces it, in the caller's transaction.
   * The code is random; the database's unique constraint is the guarantee, and a collision
   * (about 2^-70 per key at a billion keys) draws again.
   */
  async issue(manager: EntityManager, vendor: Vendor, key: NewKey): Promise<LicenseKey> {
    const client = await this.keys.insertClient(manager, {
      vendorId: vendor.id,
      company: key.client.company,
      contactName: key.client.contactName ?? null,
      phone: key.client.phone ?? null,
      email: key.client.email ?? null,
    });
    for (let attempt = 1; ; attempt++) {
      const code = generateCode('key', vendor.prefix);
      try {
        const saved = await manager.transaction(async (savepoint) =>
          this.keys.insertKey(
            savepoint,
            {
              vendorId: vendor.id,
              code,
              distributorId: key.distributorId ?? null,
              managerId: key.managerId ?? null,
              comment: key.comment ?? null,
              origin: key.origin,
            },
            client,
          ),
        );
        await this.announce(manager, KeyCreated, saved, client);
        return saved;
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error, 'license_keys_code_key')) continue;
        throw error;
      }
    }
  }

  /**
   * Edits the key card. A company change re-binds the key (see UpdateLicenseKeyInput);
   * contact, phone and e-mail then apply to the key's client, and every key of that client
   * is announced with its new state.
   */
  async update(vendorId: string, id: string, input: UpdateLicenseKeyInput): Promise<LicenseKey> {
    return this.dataSource.transaction(async (manager) => {
      const key = await this.keys.lock(manager, vendorId, id);
      if (!key) throw new NotFoundError('License key', 'id');
      await this.assertRefs(manager, vendorId, input, 'input.');
      // `target` is the stored state of the client the key ends up with.
      let target: Client = key.client!;
      if (input.clientId && input.clientId !== target.id) {
        const chosen = await this.keys.findClient(vendorId, input.clientId, manager);
        if (!chosen) throw new NotFoundError('Client', 'input.clientId');
        target = chosen;
      }
      let company = target.company;
      if (input.company && sameName(input.company, target.company)) {
        company = input.company; // the same client, its name re-typed
      } else if (input.company) {
        const namesake = await this.keys.findClientByCompany(manager, vendorId, input.company);
        const others = namesake
          ? []
          : (await this.keys.keysOfClient(manager, vendorId, target.id)).filter((k) => k.id !== key.id);
        if (namesake) target = namesake;
        else if (others.length) {
          const { vendorId: v, contactName, phone, email } = target;
          target = await this.keys.insertClient(manager, {
            vendorId: v,
            company: input.company,
            contactName,
            phone,
            email,
          });
        }
        company = namesake ? namesake.company : input.company;
      }
      const edited: Client = {
        ...target,
        company,
        contactName: input.contactName !== undefined ? input.contactName : target.contactName,
        phone: input.phone !== undefined ? input.phone : target.phone,
        email: input.email !== undefined ? input.email : target.email,
      };
      const clientChanged = (['company', 'contactName', 'phone', 'email'] as const).some(
        (f) => edited[f] !== target[f],
      );
      if (clientChanged) await this.keys.updateClient(manager, edited);
      const updated: LicenseKey = Object.assign(new LicenseKey(), key, {
        clientId: edited.id,
        client: edited,
        distributorId: input.distributorId !== undefined ? input.distributorId : key.distributorId,
        managerId: input.managerId !== undefined ? input.managerId : key.managerId,
        comment: input.comment !== undefined ? input.comment : key.comment,
      });
      await this.keys.updateKey(manager, updated, edited);
      await this.announce(manager, KeyUpdated, updated, edited);
      if (clientChanged) {
        // The client's other keys show its new name and contacts too.
        for (const sibling of await this.keys.keysOfClient(manager, vendorId, edited.id)) {
          if (sibling.id === key.id) continue;
          await this.keys.updateKey(manager, sibling, edited);
          await this.announce(manager, KeyUpdated, sibling, edited);
        }
      }
      return updated;
    });
  }

  /** Deletes the key: it disappears from every query and its licenses stop counting (key.deleted). */
  async delete(vendorId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const deleted = await this.keys.softDelete(manager, vendorId, id);
      if (!deleted) throw new NotFoundError('License key', 'id');
      await enqueue(
        manager,
        createEvent(KeyDeleted, { vendorId, subject: deleted.id, data: { keyId: deleted.id, code: deleted.code } }),
      );
      return true;
    });
  }

  private async assertRefs(
    manager: EntityManager,
    vendorId: string,
    refs: { distributorId?: string | null; managerId?: string | null },
    prefix: string,
  ): Promise<void> {
    if (refs.distributorId && !(await this.distributors.findById(vendorId, refs.distributorId, manager))) {
      throw new NotFoundError('Distributor', `${prefix}distributorId`);
    }
    if (refs.managerId && !(await this.staff.findById(vendorId, refs.managerId, manager))) {
      throw new NotFoundError('Manager', `${prefix}managerId`);
    }
  }

  private announce(
    manager: EntityManager,
    definition: EventDefinition<KeyData>,
    key: LicenseKey,
    client: Client,
  ): Promise<void> {
    return enqueue(
      manager,
      createEvent(definition, { vendorId: key.vendorId, subject: key.id, data: keyEventData(key, client) }),
    );
  }
}
