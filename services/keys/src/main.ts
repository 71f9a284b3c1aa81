// First: tracing (when configured) must load before what it instruments.
import './telemetry';
import 'reflect-metadata';
import { validateEnv } from '@licensing/config';
import { failBoot, runSubgraph } from '@licensing/platform';
import { KeysAppModule } from './app.module';
import { KeysConfig } from './config';

runSubgraph('keys', (c) => KeysAppModule.forRoot(c as KeysConfig), validateEnv(KeysConfig)).catch((error: unknown) =>
  failBoot('keys', error),
);
