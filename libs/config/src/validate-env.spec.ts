import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { ConfigValidationError, validateEnv } from './validate-env';
import { ServiceConfig } from './common.config';

class SampleConfig {
  @IsInt()
  @Min(1)
  PORT = 4001;

  @IsString()
  @MinLength(3)
  NAME = 'abc';
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('validateEnv', () => {
  it('uses the class defaults when variables are absent', () => {
    expect(validateEnv(SampleConfig, {})).toEqual(Object.assign(new SampleConfig(), {}));
  });

  it('converts numeric variables', () => {
    expect(validateEnv(SampleConfig, { PORT: '4100' }).PORT).toBe(4100);
  });

  it('names every bad variable', () => {
    const error = captureError(() => validateEnv(SampleConfig, { PORT: 'zero', NAME: 'x' }));
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('NAME');
  });

  it('refuses a service config without a database or signing secret', () => {
    expect(() => validateEnv(ServiceConfig, { PORT: '4001' })).toThrow(
      /DATABASE_URL[\s\S]*IDENTITY_SIGNING_SECRET|IDENTITY_SIGNING_SECRET[\s\S]*DATABASE_URL/,
    );
  });
});
