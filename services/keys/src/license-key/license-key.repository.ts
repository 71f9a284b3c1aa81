import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { row, rows, updated } from '@licensing/database';
import { Client } from './client.entity';
import { LicenseKey, searchTextOf } from './license-key.entity';

export interface KeySearch {
  /** Lower case, at least three characters. */
  search?: string | null;
  distributorId?: string | null;
  productId?: string | null;
}

/** Escapes LIKE wildcards so a search for "50%" means those characters. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Narrows a query over license_keys `k` to one vendor's keys matching the filter. */
function matching<T extends ObjectLiteral>(
  q: SelectQueryBuilder<T>,
  vendorId: string,
  filter: KeySearch,
): SelectQueryBuilder<T> {
  q.andWhere('k.vendor_id = :vendorId', { vendorId });
  if (filter.search) {
    // The trigram index is probed with the term's longest word only: short common words
    // ("llc", "gmbh") match a large share of all keys and would make the scan read their
    // long posting lists. The whole term is then checked on the few rows found, through an
    // expression the index does not cover.
    const probe = filter.search.split(/\s+/).reduce((a, b) => (b.length > a.length ? b : a), '');
    q.andWhere('k.search LIKE :probe', { probe: `%${likeLiteral(probe.length >= 3 ? probe : filter.search)}%` });
    if (probe !== filter.search)
      q.andWhere(`(k.search || '') LIKE :pattern`, { pattern: `%${likeLiteral(filter.search)}%` });
  }
  if (filter.distributorId) q.andWhere('k.distributor_id = :distributorId', { distributorId: filter.distributorId });
  if (filter.productId) {
    q.andWhere('EXISTS (SELECT 1 FROM licenses l WHERE l.key_id = k.id AND l.product_id = :productId)', {
      productId: filter.productId,
    });
  }
  return q;
}

/**
 * License keys and their clients. Every query takes the vendor id first and never sees a
 * deleted key, with three exceptions, each for a caller that cannot know the vendor:
 * `findById` without a vendor (federation references carry only the id), `findByCode`
 * (applications and client login bring only the code; the code is unique across vendors)
 * and `findRefById` (a coupon rollback, which still records on a deleted key).
 */
@Injectable()
export class LicenseKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private keys(manager?: EntityManager): SelectQueryBuilder<LicenseKey> {
    return (manager ?? this.dataSource.manager)
      .getRepository(LicenseKey)
      .createQueryBuilder('k')
      .innerJoinAndSelect('k.client', 'c')
      .where('k.deleted_at IS NULL');
  }

  /** `vendorId` undefined: any vendor's, for federation references. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<LicenseKey | null> {
    const q = this.keys(manager).andWhere('k.id = :id', { id });
    return (vendorId ? q.andWhere('k.vendor_id = :vendorId', { vendorId }) : q).getOne();
  }

  /** Any vendor's key by its canonical code. */
  findByCode(code: string, manager?: EntityManager): Promise<LicenseKey | null> {
    return this.keys(manager).andWhere('k.code = :code', { code }).getOne();
  }

  /** A key, deleted or not, as license events need it (a rollback after deletion still records). */
  async findRefById(id: string, manager: EntityManager): Promise<{ id: string; vendorId: string; code: string }> {
    const found = await row<{ id: string; vendorId: string; code: string }>(
      manager,
      `SELECT id, vendor_id AS "vendorId", code FROM license_keys WHERE id = $1`,
      [id],
    );
    if (!found) throw new Error(`key ${id} is missing`);
    return found;
  }

  /** The key, locked for a change of the key or of its licenses. */
  findByIdLocked(vendorId: string, id: string, manager: EntityManager): Promise<LicenseKey | null> {
    return this.keys(manager)
      .andWhere('k.vendor_id = :vendorId AND k.id = :id', { vendorId, id })
      .setLock('pessimistic_write', undefined, ['k'])
      .getOne();
  }

  /**
   * A page of keys, newest first, after the key with insertion number `afterSeq` (one more
   * than `first`, to tell whether another page follows), and how many keys match in all,
   * counted up to `countLimit` (`exact` false when more match; `total` is then `countLimit`).
   * A first page that holds every match is its own count; otherwise a second query reads at
   * most `countLimit + 1` matching rows of license_keys alone (its partial indexes answer it),
   * so no search pays for counting all of a term found in a large share of the keys.
   */
  async findPage(
    vendorId: string,
    filter: KeySearch,
    first: number,
    afterSeq: string | undefined,
    countLimit: number,
  ): Promise<{ keys: (LicenseKey & { seq: string })[]; total: number; exact: boolean }> {
    const page = matching(this.keys(), vendorId, filter);
    if (afterSeq) page.andWhere('k.seq < :afterSeq', { afterSeq });
    const keys = (
      await page
        .addSelect('k.seq')
        .orderBy('k.seq', 'DESC')
        .limit(first + 1)
        .getMany()
    ).filter((k): k is LicenseKey & { seq: string } => k.seq !== undefined);
    let found = keys.length;
    if (afterSeq || found > first) {
      const [limited, parameters] = matching(
        this.dataSource.createQueryBuilder().select('1').from(LicenseKey, 'k').where('k.deleted_at IS NULL'),
        vendorId,
        filter,
      )
        .limit(countLimit + 1)
        .getQueryAndParameters();
      const counted = await row<{ found: number }>(
        this.dataSource,
        `SELECT count(*)::int AS found FROM (${limited}) limited`,
        parameters,
      );
      found = counted?.found ?? 0;
    }
    return { keys, total: Math.min(found, countLimit), exact: found <= countLimit };
  }

  findClientById(vendorId: string, id: string, manager?: EntityManager): Promise<Client | null> {
    return (manager ?? this.dataSource.manager).getRepository(Client).findOneBy({ vendorId, id });
  }

  /** The vendor's oldest client with this company name, ignoring case. */
  findClientByCompany(vendorId: string, company: string, manager: EntityManager): Promise<Client | null> {
    return manager
      .getRepository(Client)
      .createQueryBuilder('c')
      .where('c.vendor_id = :vendorId AND lower(c.company) = lower(:company)', { vendorId, company })
      .orderBy('c.created_at', 'ASC')
      .getOne();
  }

  /** The companies of the live keys whose client has this e-mail. */
  async findCompaniesByEmail(vendorId: string, email: string, manager: EntityManager): Promise<string[]> {
    const found = await rows<{ company: string }>(
      manager,
      `SELECT c.company FROM clients c JOIN license_keys k ON k.client_id = c.id AND k.deleted_at IS NULL
        WHERE c.vendor_id = $1 AND c.email = $2`,
      [vendorId, email],
    );
    return found.map((r) => r.company);
  }

  insertClient(
    vendorId: string,
    client: Pick<Client, 'company' | 'contactName' | 'phone' | 'email'>,
    manager: EntityManager,
  ): Promise<Client> {
    const repo = manager.getRepository(Client);
    return repo.save(repo.create({ ...client, vendorId }));
  }

  async saveClient(vendorId: string, client: Client, manager: EntityManager): Promise<void> {
    await manager
      .getRepository(Client)
      .update(
        { id: client.id, vendorId },
        { company: client.company, contactName: client.contactName, phone: client.phone, email: client.email },
      );
  }

  /** Live keys of a client, oldest first, locked, with the client joined. */
  findByClientLocked(vendorId: string, clientId: string, manager: EntityManager): Promise<LicenseKey[]> {
    return this.keys(manager)
      .andWhere('k.vendor_id = :vendorId AND k.client_id = :clientId', { vendorId, clientId })
      .orderBy('k.created_at', 'ASC')
      .setLock('pessimistic_write', undefined, ['k'])
      .getMany();
  }

  async insert(
    vendorId: string,
    key: Pick<LicenseKey, 'code' | 'distributorId' | 'managerId' | 'comment' | 'origin'>,
    client: Client,
    manager: EntityManager,
  ): Promise<LicenseKey> {
    const repo = manager.getRepository(LicenseKey);
    const saved = await repo.save(
      repo.create({ ...key, vendorId, clientId: client.id, search: searchTextOf(key.code, client) }),
    );
    return Object.assign(saved, { client });
  }

  /** Saves the key's own fields and refreshes its search text from its client. */
  async save(vendorId: string, key: LicenseKey, client: Client, manager: EntityManager): Promise<void> {
    await manager.getRepository(LicenseKey).update(
      { id: key.id, vendorId },
      {
        clientId: client.id,
        distributorId: key.distributorId,
        managerId: key.managerId,
        comment: key.comment,
        search: searchTextOf(key.code, client),
      },
    );
  }

  /** Marks the key deleted; null when it was not there (or deleted already). */
  async delete(vendorId: string, id: string, manager: EntityManager): Promise<{ id: string; code: string } | null> {
    const { rows: deleted } = await updated<{ id: string; code: string }>(
      manager,
      `UPDATE license_keys SET deleted_at = now(), updated_at = now()
        WHERE vendor_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id, code`,
      [vendorId, id],
    );
    return deleted[0] ?? null;
  }
}
