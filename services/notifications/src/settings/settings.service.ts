import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Language } from './settings.entity';
import { SettingsRepository } from './settings.repository';
import { NotificationSettings, UpdateNotificationSettingsInput } from './settings.types';

/**
 * A vendor's notification settings. The keys service's events carry no language, so the
 * setting lives here; a vendor that never set it gets English.
 */
@Injectable()
export class SettingsService {
  constructor(private readonly settings: SettingsRepository) {}

  async get(vendorId: string, manager?: EntityManager): Promise<NotificationSettings> {
    return { language: await this.language(vendorId, manager) };
  }

  async language(vendorId: string, manager?: EntityManager): Promise<Language> {
    return (await this.settings.findById(vendorId, manager))?.language ?? 'EN';
  }

  async update(vendorId: string, input: UpdateNotificationSettingsInput): Promise<NotificationSettings> {
    await this.settings.save(vendorId, input.language);
    return this.get(vendorId);
  }
}
