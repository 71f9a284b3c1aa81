import { searchTermOf, searchTextOf } from './license-key.entity';

describe('key search text', () => {
  it('holds the code without the vendor prefix, with and without dashes, the company and the e-mail', () => {
    expect(searchTextOf('ACME-7K3QX-00000-11111-22222', { company: 'Roga LLC', email: 'it@roga.test' })).toBe(
      '7k3qx-00000-11111-22222 7k3qx000001111122222 roga llc it@roga.test',
    );
  });

  it('matches a code by what follows the prefix, and anything else as typed', () => {
    expect(searchTermOf('ACME-7K3Q', 'ACME')).toBe('7k3q');
    expect(searchTermOf('acme7k3q', 'ACME')).toBe('7k3q');
    expect(searchTermOf('Acme Corp', 'ACME')).toBe('acme corp');
    expect(searchTermOf('@acme.test', 'ACME')).toBe('@acme.test');
    expect(searchTermOf('7K3QX-000', 'ACME')).toBe('7k3qx-000');
    expect(searchTermOf('ACME-7K', 'ACME')).toBeUndefined();
    expect(searchTermOf('Roga', '')).toBe('roga');
  });
});
