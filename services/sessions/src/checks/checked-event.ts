import { createAssembledEvent, EventEnvelope, LicenseChecked, LicenseCheckedData } from '@licensing/events';
import { LicenseCheckRecord } from './check.entity';

/**
 * license.checked of a recorded check, assembled from the record without validating it again
 * (checked-event.spec runs it through the event's validation for every answer a check gives).
 */
export function checkedEvent(record: LicenseCheckRecord): EventEnvelope<LicenseCheckedData> {
  return createAssembledEvent(LicenseChecked, {
    vendorId: record.vendorId,
    subject: record.keyId,
    time: record.checkedAt,
    data: {
      requestId: record.requestId,
      keyCode: record.keyCode,
      productCode: record.productCode,
      active: record.active,
      validUntil: record.validUntil?.toISOString() ?? null,
      reason: record.reason,
    },
  });
}
