import { Module } from '@nestjs/common';
import { ReadModelHandler } from './read-model.handler';
import { ReadModelRepository } from './read-model.repository';
import { ReadModelService } from './read-model.service';

/** The read model of the keys service's world, and the handler that keeps it from its events. */
@Module({
  providers: [ReadModelRepository, ReadModelService, ReadModelHandler],
  exports: [ReadModelService],
})
export class ReadModelModule {
  /** The event handlers of this feature, for MessagingModule. */
  static readonly handlers = [ReadModelHandler];
}
