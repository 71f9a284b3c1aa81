import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { BindingsRepository } from './bindings.repository';
import { BindingsResolver, LicenseKeyBindingsResolver } from './bindings.resolver';
import { BindingsService } from './bindings.service';
import { BoundHostsRepository } from './bound-hosts.repository';

/** Host bindings of HOST_BINDING licenses: Postgres rows, and which hosts are bound in Redis. */
@Module({
  imports: [ReadModelModule],
  providers: [BindingsResolver, LicenseKeyBindingsResolver, BindingsRepository, BoundHostsRepository, BindingsService],
  exports: [BindingsService],
})
export class BindingsModule {}
