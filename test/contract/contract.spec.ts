import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { GraphQLSchema, OperationDefinitionNode, parse, validate } from 'graphql';
import { PENDING_OPERATIONS } from './pending-operations';

const root = join(__dirname, '..', '..');
const contractDir = join(root, 'contract');
const sharedContractDir = join(root, '..', 'shared', 'contract');

function apiSchema(): GraphQLSchema {
  const sdl = readFileSync(join(root, 'services', 'gateway', 'supergraph.graphql'), 'utf8');
  return Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
}

function contractOperations(): { file: string; name: string; document: string }[] {
  return readdirSync(contractDir)
    .filter((f) => f.endsWith('.graphql'))
    .flatMap((file) => {
      const source = readFileSync(join(contractDir, file), 'utf8');
      return parse(source).definitions.map((d) => {
        const op = d as OperationDefinitionNode;
        const name = op.name?.value;
        if (!name) throw new Error(`${file}: every contract operation must be named`);
        const loc = op.loc!;
        return { file, name, document: source.slice(loc.start, loc.end) };
      });
    });
}

describe('GraphQL contract', () => {
  const schema = apiSchema();
  const operations = contractOperations();
  const implemented = operations.filter((o) => !(o.name in PENDING_OPERATIONS));

  it('has unique operation names across the documents', () => {
    const names = operations.map((o) => o.name);
    expect(names.length).toBe(new Set(names).size);
  });

  it.each(implemented.map((o) => [o.name, o.file, o.document] as const))(
    '%s (%s) validates against the composed supergraph',
    (_name, _file, document) => {
      const errors = validate(schema, parse(document)).map((e) => e.message);
      expect(errors).toEqual([]);
    },
  );

  it('lists only real operations as pending', () => {
    const names = new Set(operations.map((o) => o.name));
    expect(Object.keys(PENDING_OPERATIONS).filter((n) => !names.has(n))).toEqual([]);
  });

  it("keeps the project's copy identical to the product owner's contract", () => {
    // CI and developers have ../shared beside the project; a copy shipped elsewhere may not.
    if (!existsSync(sharedContractDir)) return;
    for (const file of readdirSync(sharedContractDir)) {
      expect(`${file}:\n${readFileSync(join(contractDir, file), 'utf8')}`).toBe(
        `${file}:\n${readFileSync(join(sharedContractDir, file), 'utf8')}`,
      );
    }
  });
});
