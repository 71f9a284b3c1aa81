import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import {
  DocumentNode,
  GraphQLNamedType,
  Kind,
  GraphQLSchema,
  OperationDefinitionNode,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isScalarType,
  isSpecifiedScalarType,
  parse,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { PENDING_OPERATIONS } from './pending-operations';

/**
 * Front ends generate their code from the API schema, and their developers read it in the
 * sandbox: every type, field, argument and enum value that the contract's operations use
 * must say what it means. This walks the contract's implemented operations over the composed
 * supergraph and lists whatever has no description (or one that only repeats its name).
 */
const root = join(__dirname, '..', '..');

interface Item {
  coordinate: string;
  name: string;
  description: string | null | undefined;
}

function apiSchema(): GraphQLSchema {
  const sdl = readFileSync(join(root, 'services', 'gateway', 'supergraph.graphql'), 'utf8');
  return Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
}

function contractDocuments(schema: GraphQLSchema) {
  const dir = join(root, 'contract');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .flatMap((file) => parse(readFileSync(join(dir, file), 'utf8')).definitions)
    .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
    .filter((op) => !(op.name!.value in PENDING_OPERATIONS))
    .map((op): DocumentNode => ({ kind: Kind.DOCUMENT, definitions: [op] }))
    .filter((doc) => validate(schema, doc).length === 0);
}

/** Everything the contract reaches: selected fields with all their arguments, whole input and enum types. */
function reachedItems(schema: GraphQLSchema): Item[] {
  const items = new Map<string, Item>();
  const add = (coordinate: string, name: string, description: string | null | undefined) => {
    if (!items.has(coordinate)) items.set(coordinate, { coordinate, name, description });
  };
  const roots = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean).map((t) => t!.name));
  const addType = (type: GraphQLNamedType): void => {
    if (items.has(type.name) || roots.has(type.name) || type.name.startsWith('__')) return;
    if (isScalarType(type) && isSpecifiedScalarType(type)) return;
    add(type.name, type.name, type.description);
    if (isEnumType(type)) {
      for (const value of type.getValues()) add(`${type.name}.${value.name}`, value.name, value.description);
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(`${type.name}.${field.name}`, field.name, field.description);
        addType(getNamedType(field.type));
      }
    }
  };

  for (const document of contractDocuments(schema)) {
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        VariableDefinition(node) {
          const type = typeFromAST(schema, node.type);
          if (type) addType(getNamedType(type));
        },
        Field() {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (!parent || !field || field.name.startsWith('__')) return;
          add(`${parent.name}.${field.name}`, field.name, field.description);
          for (const arg of field.args) {
            add(`${parent.name}.${field.name}(${arg.name}:)`, arg.name, arg.description);
            addType(getNamedType(arg.type));
          }
          addType(getNamedType(field.type));
        },
      }),
    );
  }
  return [...items.values()].sort((a, b) => a.coordinate.localeCompare(b.coordinate));
}

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** Missing, or nothing more than the name spelled out ("keyCode" → "Key code."). */
function lacking(item: Item): string | undefined {
  const description = item.description?.trim();
  if (!description) return 'no description';
  const name = words(item.name.replace(/([a-z0-9])([A-Z])/g, '$1 $2')).join(' ');
  if (words(description).join(' ') === name || words(description).length < 3) return `says only "${description}"`;
  return undefined;
}

describe('descriptions of what the contract uses', () => {
  const schema = apiSchema();
  const items = reachedItems(schema);

  it('reaches the types, fields, arguments and enum values of the contract', () => {
    // A guard against a walk that finds nothing: the contract uses well over a hundred.
    expect(items.length).toBeGreaterThan(150);
    expect(items.map((i) => i.coordinate)).toEqual(
      expect.arrayContaining(['LicenseKey.code', 'Query.licenseKeys(filter:)', 'CouponType.UPGRADE', 'RegisterInput']),
    );
  });

  it('describes every one of them (100%)', () => {
    const missing = items.flatMap((item) => {
      const problem = lacking(item);
      return problem ? [`${item.coordinate}: ${problem}`] : [];
    });
    const share = ((items.length - missing.length) / items.length) * 100;
    if (missing.length) {
      console.log(
        `described: ${share.toFixed(1)}% of ${items.length}; missing (${missing.length}):\n  ${missing.join('\n  ')}`,
      );
    }
    expect(missing).toEqual([]);
  });
});
