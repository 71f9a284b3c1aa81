import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model/read-model.module';
import { SettingsModule } from '../settings/settings.module';
import { EmailHandler } from './email.handler';
import { EmailRepository } from './email.repository';
import { EmailResolver } from './email.resolver';
import { EmailService } from './email.service';
import { EmailWorker } from './email.worker';
import { Mailer } from './mailer';

/** E-mails to clients: claimed from events, sent over SMTP by the worker, listed for the key card. */
@Module({
  imports: [ReadModelModule, SettingsModule],
  providers: [EmailRepository, EmailService, EmailResolver, EmailHandler, EmailWorker, Mailer],
  exports: [EmailService],
})
export class EmailModule {
  /** The event handlers of this feature, for MessagingModule. */
  static readonly handlers = [EmailHandler];
}
