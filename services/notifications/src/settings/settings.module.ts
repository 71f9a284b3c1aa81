import { Module } from '@nestjs/common';
import { SettingsRepository } from './settings.repository';
import { SettingsResolver } from './settings.resolver';
import { SettingsService } from './settings.service';

/** The vendors' notification settings (the language of their clients' e-mails). */
@Module({
  providers: [SettingsRepository, SettingsService, SettingsResolver],
  exports: [SettingsService],
})
export class SettingsModule {}
