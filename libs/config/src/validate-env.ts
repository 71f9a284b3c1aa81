import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const name = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((msg) => `${name}: ${msg}`);
    return [...own, ...describe(e.children ?? [], name)];
  });
}

/**
 * Builds a config object from environment variables and validates it.
 * Property names of `cls` are the variable names; defaults are the class's initialisers,
 * and a numeric default makes the variable numeric.
 * Throws a ConfigValidationError naming every bad variable, so a service fails at boot.
 */
export function validateEnv<T extends object>(
  cls: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    const fallback = defaults[key];
    if (value === undefined || value === '') raw[key] = fallback;
    else if (typeof fallback === 'number') raw[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    else raw[key] = value;
  }
  const instance = plainToInstance(cls, raw);
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigValidationError(describe(errors));
  return instance;
}
