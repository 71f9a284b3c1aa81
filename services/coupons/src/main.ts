// First: tracing (when configured) must load before what it instruments.
import './telemetry';
import 'reflect-metadata';
import { validateEnv } from '@licensing/config';
import { failBoot, runSubgraph } from '@licensing/platform';
import { CouponsAppModule } from './app.module';
import { CouponsConfig } from './config';

runSubgraph('coupons', (c) => CouponsAppModule.forRoot(c as CouponsConfig), validateEnv(CouponsConfig)).catch(
  (error: unknown) => failBoot('coupons', error),
);
