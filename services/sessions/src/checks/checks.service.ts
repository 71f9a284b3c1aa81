import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { BadInputError, NotFoundError } from '@licensing/graphql';
import { changeAndEnqueue } from '@licensing/kafka';
import { Metrics } from '@licensing/platform';
import type { Counter } from 'prom-client';
import { ReadModelService } from '../read-model/read-model.service';
import { SigningService } from '../signing/signing.service';
import { LicenseCheckRecord } from './check.entity';
import { checkedEvent } from './checked-event';
import { checkView, LicenseCheckView } from './checks.types';
import { CommitBatches } from './commit-batches';
import { ChecksRepository } from './checks.repository';
import { uuidv7 } from './uuid-v7';

/**
 * License checks (seed 004): whether a product is in force on a key, until when and why not,
 * recorded under a new request id that support looks up later. A check of a key the service
 * knows is recorded whatever its answer (demo and expired ones too); the record and
 * license.checked commit together. The answer is signed with the vendor's key (signing/claims.ts).
 */
@Injectable()
export class ChecksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly readModel: ReadModelService,
    private readonly checks: ChecksRepository,
    private readonly signing: SigningService,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.recorded = metrics.counter<'active'>({
      name: 'license_checks_recorded_total',
      help: 'License checks recorded, by their answer (active true or false)',
      labelNames: ['active'],
    });
  }

  private readonly recorded: Counter<'active'>;

  /**
   * The records and their license.checked events commit together, in one statement; checks
   * that arrive while others are being written share the next one (group commit), so a busy
   * instance commits once per batch instead of once per check. A check answers only after its
   * batch has committed.
   */
  private readonly recording = new CommitBatches<LicenseCheckRecord>((records) =>
    changeAndEnqueue(this.dataSource, this.checks.insertion(records), records.map(checkedEvent)),
  );

  async check(input: { keyCode: string; productCode: string }): Promise<LicenseCheckView> {
    const checkedAt = new Date();
    const standing = await this.readModel.standing(input.keyCode, input.productCode, checkedAt);
    // The signing key at hand before the check is recorded, so signing the answer cannot fail for want of it.
    await this.signing.prepare(standing.vendorId, standing.keyCode);
    const record: LicenseCheckRecord = {
      requestId: uuidv7(checkedAt.getTime()),
      vendorId: standing.vendorId,
      keyId: standing.keyId,
      keyCode: standing.keyCode,
      productId: standing.productId,
      productCode: standing.productCode,
      checkedAt,
      active: standing.active,
      validUntil: standing.validUntil,
      reason: standing.reason,
      message: standing.message,
    };
    await this.recording.add(record);
    this.recorded.inc({ active: String(record.active) });
    return { ...checkView(record), signature: await this.signing.signCheck(record.vendorId, record) };
  }

  /** A check of the vendor's keys by its request id. */
  async findById(vendorId: string, requestId: string): Promise<LicenseCheckView> {
    if (!isUUID(requestId)) throw new BadInputError('requestId', 'requestId is not a request id');
    const record = await this.checks.findById(vendorId, requestId);
    if (!record) throw new NotFoundError('License check', 'requestId');
    return checkView(record);
  }
}
