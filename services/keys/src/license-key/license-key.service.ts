import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@licensing/database';
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
import { assertPageSize, decodeCursor, emptyConnection, Metrics, toConnection } from '@licensing/platform';
import type { Counter } from 'prom-client';
import { sameText } from '../common/text';
import { InjectKeysConfig, KeysConfig } from '../config';
import { Distributor } from '../distributor/distributor.entity';
import { DistributorService } from '../distributor/distributor.service';
import { KeyRef, LicenseService } from '../license/license.service';
import { KeyProductView, LicenseView } from '../license/license.types';
import { ProductService } from '../product/product.service';
import { Staff } from '../staff/staff.entity';
import { StaffService } from '../staff/staff.service';
import { Vendor } from '../vendor/vendor.entity';
import { VendorService } from '../vendor/vendor.service';
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

@Injectable()
export class LicenseKeyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: LicenseKeyRepository,
    private readonly vendors: VendorService,
    private readonly distributors: DistributorService,
    private readonly staff: StaffService,
    private readonly products: ProductService,
    private readonly licenses: LicenseService,
    @Inject(Metrics) metrics: Metrics,
    @InjectKeysConfig() private readonly config: KeysConfig,
  ) {
    this.created = metrics.counter<'origin'>({
      name: 'license_keys_created_total',
      help: 'License keys issued, by origin (cabinet, registration, ...)',
      labelNames: ['origin'],
    });
  }

  private readonly created: Counter<'origin'>;

  /** `vendorId` undefined: any vendor's, for federation references. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<LicenseKey | null> {
    return this.keys.findById(vendorId, id, manager);
  }

  /** Any vendor's key by its canonical code, for callers whose credential is the key itself. */
  findByCode(code: string): Promise<LicenseKey | null> {
    return this.keys.findByCode(code);
  }

  /** A key, deleted or not, as license events need it. */
  findRefById(id: string, manager: EntityManager): Promise<KeyRef> {
    return this.keys.findRefById(id, manager);
  }

  /** The companies of the vendor's live keys whose client has this e-mail. */
  companiesOfEmail(vendorId: string, email: string, manager: EntityManager): Promise<string[]> {
    return this.keys.findCompaniesByEmail(vendorId, email, manager);
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
    const client = await this.keys.findClientById(key.vendorId, key.clientId);
    if (!client) throw new Error(`client ${key.clientId} of key ${key.id} is missing`);
    return client;
  }

  distributorOf(key: LicenseKey): Promise<Distributor | null> | null {
    return key.distributorId ? this.distributors.findById(key.vendorId, key.distributorId) : null;
  }

  /** The key's responsible manager. */
  managerOf(key: LicenseKey): Promise<Staff | null> | null {
    return key.managerId ? this.staff.findById(key.vendorId, key.managerId) : null;
  }

  /** Every license on the key, oldest first, with whether it is in force now. */
  async licensesOf(key: LicenseKey): Promise<LicenseView[]> {
    return (await this.licenses.forKey(key.vendorId, key.id)).licenses;
  }

  /** One line per product on the key. */
  async productsOf(key: LicenseKey): Promise<KeyProductView[]> {
    return (await this.licenses.forKey(key.vendorId, key.id)).products;
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
      if (!product) return { ...emptyConnection(), totalCountIsExact: true };
      productId = product.id;
    }
    let search: string | undefined;
    if (filter?.search) {
      search = searchTermOf(filter.search, await this.vendors.prefixOf(vendorId));
      if (!search)
        throw new BadInputError('filter.search', 'search needs at least 3 characters of the key after its prefix');
    }
    const { keys, total, exact } = await this.keys.findPage(
      vendorId,
      { search, distributorId: filter?.distributorId, productId },
      first,
      afterSeq,
      this.config.KEY_SEARCH_COUNT_LIMIT,
    );
    return { ...toConnection('k', keys, first, total, (k) => k.seq), totalCountIsExact: exact };
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
    const client = await this.keys.insertClient(
      vendor.id,
      {
        company: key.client.company,
        contactName: key.client.contactName ?? null,
        phone: key.client.phone ?? null,
        email: key.client.email ?? null,
      },
      manager,
    );
    for (let attempt = 1; ; attempt++) {
      const code = generateCode('key', vendor.prefix);
      try {
        const saved = await manager.transaction(async (savepoint) =>
          this.keys.insert(
            vendor.id,
            {
              code,
              distributorId: key.distributorId ?? null,
              managerId: key.managerId ?? null,
              comment: key.comment ?? null,
              origin: key.origin,
            },
            client,
            savepoint,
          ),
        );
        await this.announce(manager, KeyCreated, saved, client);
        this.created.inc({ origin: key.origin });
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
      const key = await this.keys.findByIdLocked(vendorId, id, manager);
      if (!key) throw new NotFoundError('License key', 'id');
      await this.assertRefs(manager, vendorId, input, 'input.');
      // `target` is the stored state of the client the key ends up with.
      let target: Client = key.client!;
      if (input.clientId && input.clientId !== target.id) {
        const chosen = await this.keys.findClientById(vendorId, input.clientId, manager);
        if (!chosen) throw new NotFoundError('Client', 'input.clientId');
        target = chosen;
      }
      let company = target.company;
      if (input.company && sameText(input.company, target.company)) {
        company = input.company; // the same client, its name re-typed
      } else if (input.company) {
        const namesake = await this.keys.findClientByCompany(vendorId, input.company, manager);
        const others = namesake
          ? []
          : (await this.keys.findByClientLocked(vendorId, target.id, manager)).filter((k) => k.id !== key.id);
        if (namesake) target = namesake;
        else if (others.length) {
          const { contactName, phone, email } = target;
          target = await this.keys.insertClient(
            vendorId,
            { company: input.company, contactName, phone, email },
            manager,
          );
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
      if (clientChanged) await this.keys.saveClient(vendorId, edited, manager);
      const updated: LicenseKey = Object.assign(new LicenseKey(), key, {
        clientId: edited.id,
        client: edited,
        distributorId: input.distributorId !== undefined ? input.distributorId : key.distributorId,
        managerId: input.managerId !== undefined ? input.managerId : key.managerId,
        comment: input.comment !== undefined ? input.comment : key.comment,
      });
      await this.keys.save(vendorId, updated, edited, manager);
      await this.announce(manager, KeyUpdated, updated, edited);
      if (clientChanged) {
        // The client's other keys show its new name and contacts too.
        for (const sibling of await this.keys.findByClientLocked(vendorId, edited.id, manager)) {
          if (sibling.id === key.id) continue;
          await this.keys.save(vendorId, sibling, edited, manager);
          await this.announce(manager, KeyUpdated, sibling, edited);
        }
      }
      return updated;
    });
  }

  /** Deletes the key: it disappears from every query and its licenses stop counting (key.deleted). */
  async delete(vendorId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const deleted = await this.keys.delete(vendorId, id, manager);
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
