// First: tracing (when configured) must load before what it instruments.
import './telemetry';
import 'reflect-metadata';
import { validateEnv } from '@licensing/config';
import { failBoot, runSubgraph } from '@licensing/platform';
import { SessionsAppModule } from './app.module';
import { SessionsConfig } from './config';

runSubgraph('sessions', (c) => SessionsAppModule.forRoot(c as SessionsConfig), validateEnv(SessionsConfig)).catch(
  (error: unknown) => failBoot('sessions', error),
);
