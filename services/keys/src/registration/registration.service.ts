import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { claimIdempotencyKey, isUniqueViolation } from '@licensing/database';
import { daysAfter, TRIAL_SEATS } from '@licensing/domain';
import { createEvent, KeyRegistered } from '@licensing/events';
import { BadInputError, ConflictError, DomainError, ErrorCode, NotFoundError } from '@licensing/graphql';
import { Identity, vendorIdOf } from '@licensing/identity';
import { enqueue } from '@licensing/kafka';
import { sameText } from '../common/text';
import { LicenseKeyService } from '../license-key/license-key.service';
import { LicenseService, NewLicense } from '../license/license.service';
import { LicenseView } from '../license/license.types';
import { Product } from '../product/product.entity';
import { ProductService } from '../product/product.service';
import { VendorService } from '../vendor/vendor.service';
import { ActivateTrialInput, RegisterInput, RegisterPayload } from './dto/registration.inputs';
import { RegistrationRepository } from './registration.repository';

/**
 * Self-registration from an application, and trials on existing keys (docs/domain.md#registration
 * and #trials). Everything is scoped to the vendor of the prefix.
 */
@Injectable()
export class RegistrationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vendors: VendorService,
    private readonly products: ProductService,
    private readonly keys: LicenseKeyService,
    private readonly licenses: LicenseService,
    private readonly registrations: RegistrationRepository,
  ) {}

  /**
   * Creates a client, a key and a trial of the product, and the key.registered event the
   * notifications service turns into the key letter. Refusals, checked in this order:
   *
   *  1. This host registered before (its fingerprint, for this vendor):
   *       with the same e-mail and company  → 1059 (a key was already issued here)
   *       with another e-mail or company    → 2051 (registered before with other details)
   *  2. This e-mail has a key of this vendor:
   *       for another company               → 2022
   *       for the same company              → 1059
   *
   * The host comes first because it identifies this copy of the application: when a known
   * host arrives with an e-mail that also belongs to another company, the answer that helps
   * is "this copy was registered before" (2051), which tells the user to look for the
   * earlier letter. Concurrent registrations of one host or one e-mail are serialized by
   * transaction-scoped advisory locks, so none of these checks can be raced.
   */
  async register(input: RegisterInput): Promise<RegisterPayload> {
    const vendor = await this.vendors.findByPrefix(input.vendorPrefix);
    if (!vendor) throw new NotFoundError(`Vendor ${input.vendorPrefix}`, 'input.vendorPrefix');
    const product = await this.products.findByCode(vendor.id, input.productCode);
    if (!product) throw new NotFoundError(`Product ${input.productCode}`, 'input.productCode');
    const fingerprint = input.host.fingerprint;

    return this.dataSource.transaction(async (manager) => {
      const claim = input.idempotencyKey
        ? await claimIdempotencyKey<{ keyId: string; licenseId: string }>(
            manager,
            'register',
            input.idempotencyKey,
            input,
          )
        : undefined;
      if (claim?.state === 'reused') throw idempotencyKeyReused();
      if (claim?.state === 'replay') return this.registered(vendor.id, claim.result, manager);
      await this.registrations.lockHostAndEmail(vendor.id, fingerprint, input.email, manager);
      const host = await this.registrations.findByHost(vendor.id, fingerprint, manager);
      if (host) {
        if (sameText(host.email, input.email) && sameText(host.company, input.company)) throw alreadyIssued();
        throw new DomainError(
          ErrorCode.HOST_REGISTERED_WITH_OTHER_DETAILS,
          'This copy was registered before with another e-mail or company. Look for the earlier key letter, or register with the same e-mail and company.',
          'input.host.fingerprint',
        );
      }
      const byEmail = await this.keys.companiesOfEmail(vendor.id, input.email, manager);
      if (byEmail.some((company) => !sameText(company, input.company))) {
        throw new DomainError(
          ErrorCode.EMAIL_HAS_KEY_FOR_OTHER_COMPANY,
          'A key was already issued to this e-mail for another company. Register with that company’s name, or use another e-mail.',
          'input.email',
        );
      }
      if (byEmail.length) throw alreadyIssued();

      const key = await this.keys.issue(manager, vendor, {
        client: {
          company: input.company,
          contactName: input.contactName,
          phone: input.phone ?? null,
          email: input.email,
        },
        origin: 'REGISTRATION',
      });
      const now = new Date();
      const trial = await this.licenses.grant(manager, key, product, trialTerms(product, now, 'REGISTRATION'));
      await this.registrations.insert(
        vendor.id,
        { host: input.host, email: input.email, company: input.company, keyId: key.id, productId: product.id },
        manager,
      );
      await enqueue(
        manager,
        createEvent(KeyRegistered, {
          vendorId: vendor.id,
          subject: key.id,
          data: {
            keyId: key.id,
            code: key.code,
            productCode: product.code,
            company: input.company,
            contactName: input.contactName,
            email: input.email,
            hostFingerprint: fingerprint,
            trialExpiresAt: trial.expiresAt!.toISOString(),
          },
        }),
      );
      await claim?.complete({ keyId: key.id, licenseId: trial.id });
      const view = await this.licenses.evaluate(vendor.id, [trial], now, manager);
      return { licenseKey: key, license: view.licenses[0]! };
    });
  }

  /** A registration's answer again, for a retry with its idempotency key. */
  private async registered(
    vendorId: string,
    ids: { keyId: string; licenseId: string },
    manager: EntityManager,
  ): Promise<RegisterPayload> {
    const key = await this.keys.findById(vendorId, ids.keyId, manager);
    const license = await this.trialOf(vendorId, ids, manager);
    if (!key) throw new NotFoundError('License key');
    return { licenseKey: key, license };
  }

  private async trialOf(
    vendorId: string,
    ids: { keyId: string; licenseId: string },
    manager: EntityManager,
  ): Promise<LicenseView> {
    const { licenses } = await this.licenses.forKey(vendorId, ids.keyId, manager);
    const license = licenses.find((l) => l.id === ids.licenseId);
    if (!license) throw new NotFoundError('License');
    return license;
  }

  /**
   * A trial of a product on an existing key, once per key and product (a database
   * constraint holds that under concurrency). The key is the credential; a caller with a
   * token may ask only for keys it sees.
   */
  async activateTrial(identity: Identity, input: ActivateTrialInput): Promise<LicenseView> {
    const found = this.keys.findByTypedCode(input.keyCode);
    if (!found)
      throw new BadInputError(
        'input.keyCode',
        'keyCode is not a well-formed license key (PPPP-XXXXX-XXXXX-XXXXX-XXXXX)',
      );
    const key = await found;
    if (!key) throw new NotFoundError('License key', 'input.keyCode');
    const callerVendor = vendorIdOf(identity);
    if ((callerVendor && callerVendor !== key.vendorId) || (identity.kind === 'client' && identity.keyId !== key.id)) {
      throw new NotFoundError('License key', 'input.keyCode');
    }
    const product = await this.products.findByCode(key.vendorId, input.productCode);
    if (!product) throw new NotFoundError(`Product ${input.productCode}`, 'input.productCode');
    const refused = () =>
      new ConflictError(`A trial of ${product.code} was already issued on this key`, 'input.productCode');
    try {
      return await this.dataSource.transaction(async (manager: EntityManager) => {
        const claim = input.idempotencyKey
          ? await claimIdempotencyKey<{ keyId: string; licenseId: string }>(
              manager,
              'activateTrial',
              input.idempotencyKey,
              input,
            )
          : undefined;
        if (claim?.state === 'reused') throw idempotencyKeyReused();
        if (claim?.state === 'replay') return this.trialOf(key.vendorId, claim.result, manager);
        const current = await this.licenses.lockedForKey(manager, key);
        const own = current.filter((l) => l.productId === product.id);
        if (own.some((l) => l.kind === 'TRIAL')) throw refused();
        const now = new Date();
        const evaluated = await this.licenses.evaluate(key.vendorId, current, now, manager);
        if (evaluated.products.some((p) => p.productId === product.id && p.active)) {
          throw new ConflictError(`The key already has a license of ${product.code} in force`, 'input.productCode');
        }
        const trial = await this.licenses.grant(manager, key, product, trialTerms(product, now, 'TRIAL'));
        await claim?.complete({ keyId: key.id, licenseId: trial.id });
        const view = await this.licenses.evaluate(key.vendorId, [...current, trial], now, manager);
        return view.licenses.find((l) => l.id === trial.id)!;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'licenses_one_trial_key')) throw refused();
      throw error;
    }
  }
}

const idempotencyKeyReused = () =>
  new ConflictError('idempotencyKey was used before with another input', 'input.idempotencyKey');

/** A trial of the product from now, for its trialDays. */
function trialTerms(product: Product, now: Date, source: 'REGISTRATION' | 'TRIAL'): NewLicense {
  return {
    kind: 'TRIAL',
    seats: TRIAL_SEATS,
    startsAt: now,
    expiresAt: daysAfter(now, product.trialDays),
    active: true,
    source: { type: source },
  };
}

function alreadyIssued(): DomainError {
  return new DomainError(
    ErrorCode.ALREADY_REGISTERED,
    'A key was already issued for this computer or e-mail. Look for the key letter; registering twice is not possible.',
    'input',
  );
}
