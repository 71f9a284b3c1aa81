export { validateEnv, ConfigValidationError } from './validate-env';
export { ServiceConfig } from './common.config';
