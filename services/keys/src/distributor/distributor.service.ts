import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createEvent, DistributorCreated } from '@licensing/events';
import { ConflictError } from '@licensing/graphql';
import { enqueue } from '@licensing/kafka';
import { isUniqueViolation } from '@licensing/database';
import { CreateDistributorInput } from './dto/create-distributor.input';
import { Distributor } from './distributor.entity';
import { DistributorRepository } from './distributor.repository';

@Injectable()
export class DistributorService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly distributors: DistributorRepository,
  ) {}

  list(vendorId: string): Promise<Distributor[]> {
    return this.distributors.list(vendorId);
  }

  findById(vendorId: string | undefined, id: string): Promise<Distributor | null> {
    return this.distributors.findById(vendorId, id);
  }

  async create(vendorId: string, input: CreateDistributorInput): Promise<Distributor> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const distributor = await this.distributors.insert(manager, {
          vendorId,
          name: input.name,
          email: input.email ?? null,
        });
        await enqueue(
          manager,
          createEvent(DistributorCreated, {
            vendorId,
            subject: distributor.id,
            data: { distributorId: distributor.id, name: distributor.name },
          }),
        );
        return distributor;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'distributors_vendor_name_key')) {
        throw new ConflictError(`A distributor named ${input.name} already exists`, 'input.name');
      }
      throw error;
    }
  }
}
