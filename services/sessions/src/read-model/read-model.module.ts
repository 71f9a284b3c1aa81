import { Module } from '@nestjs/common';
import { LicenseCacheRepository } from './license-cache.repository';
import { ReadModelHandler } from './read-model.handler';
import { ReadModelRepository } from './read-model.repository';
import { ReadModelService } from './read-model.service';

/** The read model of licenses (Postgres, mirrored in Redis), and the handler that keeps it from events. */
@Module({
  providers: [ReadModelRepository, LicenseCacheRepository, ReadModelService, ReadModelHandler],
  exports: [ReadModelService],
})
export class ReadModelModule {
  /** The event handlers of this feature, for MessagingModule. */
  static readonly handlers = [ReadModelHandler];
}
