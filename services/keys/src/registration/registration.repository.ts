import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { HostInput } from './dto/registration.inputs';

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
  async lockHostAndEmail(manager: EntityManager, vendorId: string, fingerprint: string, email: string): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))`,
      [`registration:host:${vendorId}:${fingerprint}`, `registration:email:${vendorId}:${email}`],
    );
  }

  async byHost(
    manager: EntityManager,
    vendorId: string,
    fingerprint: string,
  ): Promise<EarlierRegistration | undefined> {
    const rows = (await manager.query(
      `SELECT email, company FROM registrations WHERE vendor_id = $1 AND host_fingerprint = $2`,
      [vendorId, fingerprint],
    )) as EarlierRegistration[];
    return rows[0];
  }

  /** The companies of the live keys whose client has this e-mail (from the cabinet too). */
  async companiesOfEmail(manager: EntityManager, vendorId: string, email: string): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT c.company FROM clients c JOIN license_keys k ON k.client_id = c.id AND k.deleted_at IS NULL
        WHERE c.vendor_id = $1 AND c.email = $2`,
      [vendorId, email],
    )) as { company: string }[];
    return rows.map((r) => r.company);
  }

  async insert(
    manager: EntityManager,
    r: { vendorId: string; host: HostInput; email: string; company: string; keyId: string; productId: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO registrations (vendor_id, host_fingerprint, email, company, key_id, product_id, host)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.vendorId, r.host.fingerprint, r.email, r.company, r.keyId, r.productId, JSON.stringify(r.host)],
    );
  }
}
