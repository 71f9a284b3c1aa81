import { inputValidationPipe } from './validation';

describe('input validation', () => {
  const pipe = inputValidationPipe();

  it('refuses a DateTime argument that did not parse, naming it', async () => {
    await expect(
      pipe.transform(new Date('garbage'), { type: 'body', data: 'from', metatype: Date }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'from', message: expect.stringContaining('ISO 8601') });
  });

  it('finds one nested in an input', async () => {
    const input = { period: { until: new Date('2026-99-99') } };
    await expect(pipe.transform(input, { type: 'body', data: 'input', metatype: Object })).rejects.toMatchObject({
      field: 'input.period.until',
    });
  });

  it('looks only at input: GraphQL arguments (3) and HTTP bodies, not @Info() (2) or other server objects', async () => {
    const input = { when: new Date('garbage') };
    await expect(
      pipe.transform(input, { type: 3 as unknown as 'body', data: 'input', metatype: Object }),
    ).rejects.toMatchObject({ field: 'input.when' });
    await expect(pipe.transform(input, { type: 2 as unknown as 'body', metatype: Object })).resolves.toBe(input);
    await expect(pipe.transform(input, { type: 'custom', metatype: Object })).resolves.toBe(input);
  });

  it('lets a valid date through', async () => {
    const at = new Date('2026-08-07T10:00:00Z');
    await expect(pipe.transform(at, { type: 'body', data: 'from', metatype: Date })).resolves.toEqual(at);
  });
});
