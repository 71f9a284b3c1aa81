import { Module } from '@nestjs/common';
import { BindingsRepository } from './bindings.repository';
import { BindingsService } from './bindings.service';
import { BoundHostsRepository } from './bound-hosts.repository';

/** Host bindings of HOST_BINDING licenses: Postgres rows, and which hosts are bound in Redis. */
@Module({
  providers: [BindingsRepository, BoundHostsRepository, BindingsService],
  exports: [BindingsService],
})
export class BindingsModule {}
