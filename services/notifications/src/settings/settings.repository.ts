import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { updated } from '@licensing/database';
import { Language, VendorSettings } from './settings.entity';

@Injectable()
export class SettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(vendorId: string, manager?: EntityManager): Promise<VendorSettings | null> {
    return (manager ?? this.dataSource.manager).getRepository(VendorSettings).findOneBy({ vendorId });
  }

  async save(vendorId: string, language: Language): Promise<void> {
    await updated(
      this.dataSource.manager,
      `INSERT INTO vendor_settings (vendor_id, language) VALUES ($1, $2)
       ON CONFLICT (vendor_id) DO UPDATE SET language = EXCLUDED.language, updated_at = now()`,
      [vendorId, language],
    );
  }
}
