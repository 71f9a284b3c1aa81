import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { SigningModule } from '../signing/signing.module';
import { ChecksRepository } from './checks.repository';
import { ChecksResolver } from './checks.resolver';
import { ChecksService } from './checks.service';

/** License checks, recorded under request ids. */
@Module({
  imports: [ReadModelModule, SigningModule],
  providers: [ChecksResolver, ChecksService, ChecksRepository],
  exports: [ChecksService],
})
export class ChecksModule {}
