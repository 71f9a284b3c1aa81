import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
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
    return this.distributors.findAll(vendorId);
  }

  /** `vendorId` undefined: any vendor's, for federation references. */
  findById(vendorId: string | undefined, id: string, manager?: EntityManager): Promise<Distributor | null> {
    return this.distributors.findById(vendorId, id, manager);
  }

  async create(vendorId: string, input: CreateDistributorInput): Promise<Distributor> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const distributor = await this.distributors.insert(
          vendorId,
          { name: input.name, email: input.email ?? null },
          manager,
        );
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
