// First: tracing (when configured) must load before what it instruments.
import './telemetry';
import 'reflect-metadata';
import { validateEnv } from '@licensing/config';
import { failBoot, runSubgraph } from '@licensing/platform';
import { NotificationsAppModule } from './app.module';
import { NotificationsConfig } from './config';

runSubgraph(
  'notifications',
  (c) => NotificationsAppModule.forRoot(c as NotificationsConfig),
  validateEnv(NotificationsConfig),
).catch((error: unknown) => failBoot('notifications', error));
