import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { row, rows, updated } from '@licensing/database';
import { HostInput } from '@licensing/platform';

export interface EarlierRegistration {
  email: string;
  company: string;
}

/** Registrations (host fingerprint → e-mail, company, key) of one vendor. */
@Injectable()
export class RegistrationRepository {
  /**
   * Serializes registrations of one host and of one e-mail until the transaction ends.
   * Always the host first, so no two registrations wait for each other in a cycle.
   */
  async lockHostAndEmail(vendorId: string, fingerprint: string, email: string, manager: EntityManager): Promise<void> {
    await rows(
      manager,
      `SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))`,
      [`registration:host:${vendorId}:${fingerprint}`, `registration:email:${vendorId}:${email}`],
    );
  }

  findByHost(vendorId: string, fingerprint: string, manager: EntityManager): Promise<EarlierRegistration | undefined> {
    return row<EarlierRegistration>(
      manager,
      `SELECT email, company FROM registrations WHERE vendor_id = $1 AND host_fingerprint = $2`,
      [vendorId, fingerprint],
    );
  }

  async insert(
    vendorId: string,
    r: { host: HostInput; email: string; company: string; keyId: string; productId: string },
    manager: EntityManager,
  ): Promise<void> {
    await updated(
      manager,
      `INSERT INTO registrations (vendor_id, host_fingerprint, email, company, key_id, product_id, host)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [vendorId, r.host.fingerprint, r.email, r.company, r.keyId, r.productId, JSON.stringify(r.host)],
    );
  }
}
