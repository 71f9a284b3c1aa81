import { randomUUID } from 'node:crypto';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rows, runMigrations, serviceDataSourceOptions } from '@licensing/database';
import { generateCode } from '@licensing/domain';
import { Identity } from '@licensing/identity';
import { Metrics } from '@licensing/platform';
import { createTestDatabase, TestDatabase } from '@licensing/testing';
import { couponsMigrations } from '../database/migrations';
import { COUPONS_ENTITIES } from '../src/app.module';
import { GenerateCouponsInput } from '../src/generation/dto/generate-coupons.input';
import { GenerationModule } from '../src/generation/generation.module';
import { GenerationService } from '../src/generation/generation.service';
import { ReadModelService } from '../src/read-model/read-model.service';

export interface Vendor {
  id: string;
  prefix: string;
  identity: Identity;
}

export interface Key {
  keyId: string;
  vendorId: string;
  code: string;
}

/**
 * The data source of the test database, for the features' @InjectDataSource(), and the metrics
 * the services count into (SubgraphModule provides both in the service).
 */
function testDatabaseModule(dataSource: DataSource): DynamicModule {
  @Module({})
  class TestDatabaseModule {}
  return {
    module: TestDatabaseModule,
    global: true,
    providers: [
      { provide: getDataSourceToken(), useValue: dataSource },
      { provide: Metrics, useValue: new Metrics('coupons') },
    ],
    exports: [getDataSourceToken(), Metrics],
  };
}

/**
 * The coupons service's feature modules on a fresh, migrated database of their own: no
 * HTTP, no Kafka (events stay in the outbox). The read model is seeded through its service.
 */
export class CouponsTestbed {
  private constructor(
    private readonly db: TestDatabase,
    readonly dataSource: DataSource,
    private readonly app: TestingModule,
  ) {}

  static async start(label: string): Promise<CouponsTestbed> {
    const db = await createTestDatabase(label);
    const dataSource = await new DataSource(
      serviceDataSourceOptions({
        url: db.url,
        service: 'coupons',
        entities: COUPONS_ENTITIES,
        migrations: couponsMigrations,
        poolSize: 40,
      }),
    ).initialize();
    await runMigrations(dataSource, 'coupons');
    // The generation module imports every other feature.
    const app = await Test.createTestingModule({
      imports: [testDatabaseModule(dataSource), GenerationModule],
    }).compile();
    return new CouponsTestbed(db, dataSource, app);
  }

  get<T>(service: Type<T>): T {
    return this.app.get(service);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.dataSource.destroy();
    await this.db.drop();
  }

  /** A vendor with products of the given codes. */
  async vendor(prefix: string, productCodes: string[] = ['PBX']): Promise<Vendor & { products: string[] }> {
    const id = randomUUID();
    const products = productCodes.map(() => randomUUID());
    const readModel = this.get(ReadModelService);
    await this.dataSource.transaction(async (m) => {
      await readModel.saveVendor(m, { vendorId: id, prefix });
      for (const [i, code] of productCodes.entries()) {
        await readModel.saveProduct(m, { productId: products[i]!, vendorId: id, code, trialDays: 30 });
      }
    });
    return { id, prefix, identity: { kind: 'vendor', vendorId: id, apiKeyId: randomUUID() }, products };
  }

  async key(owner: Vendor): Promise<Key> {
    const k = { keyId: randomUUID(), vendorId: owner.id, code: generateCode('key', owner.prefix) };
    await this.dataSource.transaction((m) => this.get(ReadModelService).saveKey(m, k));
    return k;
  }

  /** Generates a batch (one ADD_PRODUCT coupon of PBX unless told otherwise); its id and codes in order. */
  async generate(owner: Vendor, input: Partial<GenerateCouponsInput> = {}): Promise<{ id: string; codes: string[] }> {
    const batch = await this.get(GenerationService).generate(owner.id, {
      type: 'ADD_PRODUCT',
      products: [{ productCode: 'PBX', periodDays: 365, seats: 2 }],
      ...input,
    });
    const codes = await rows<{ code: string }>(
      this.dataSource,
      'SELECT code FROM coupons WHERE batch_id = $1 ORDER BY seq',
      [batch.id],
    );
    return { id: batch.id, codes: codes.map((c) => c.code) };
  }
}
