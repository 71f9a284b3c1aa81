import {
  ArgumentNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLSchema,
  isListType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  TypeInfo,
  ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';

export interface OperationMeasures {
  /** Deepest field nesting; the operation's root fields are depth 1. Introspection fields do not count. */
  depth: number;
  /** Every field costs 1; the selections under a list cost once per item (its page size). */
  cost: number;
  /** Aliased fields, counted as often as the operation would evaluate them (fragments expanded). */
  aliases: number;
  /** Whether the operation asks for `__schema` or `__type`. */
  introspection: boolean;
}

/** What the schema says about one field of the document. */
export interface FieldFacts {
  /** The field returns a list. */
  list: boolean;
  /** The schema's default for the field's page-size argument, if it has one. */
  defaultPageSize?: number;
}

/** Arguments that size a list, and the size assumed when a list has none. */
export const PAGE_ARGUMENTS: readonly string[] = ['first', 'last', 'count', 'limit'];
export const DEFAULT_LIST_SIZE = 10;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** Without a schema: a field is a list when its name looks plural. For tests and tooling. */
export function guessFieldFacts(field: FieldNode): FieldFacts {
  return { list: field.selectionSet !== undefined && /(s|edges|nodes)$/i.test(field.name.value) };
}

/** The facts of every field node of the document (fragments included), from the schema. */
export function schemaFieldFacts(schema: GraphQLSchema, document: DocumentNode): (field: FieldNode) => FieldFacts {
  const facts = new Map<FieldNode, FieldFacts>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD](node: FieldNode) {
        const type = typeInfo.getType();
        const pageArg = typeInfo.getFieldDef()?.args.find((a) => PAGE_ARGUMENTS.includes(a.name));
        const defaultPageSize =
          pageArg && typeof pageArg.defaultValue === 'number' && getNamedType(pageArg.type).name === 'Int'
            ? pageArg.defaultValue
            : undefined;
        facts.set(node, {
          list: type !== null && type !== undefined && isListType(getNullableType(type)),
          defaultPageSize,
        });
      },
    }),
  );
  return (field) => facts.get(field) ?? { list: false };
}

/**
 * schemaFieldFacts, computed once per parsed document and schema. Apollo keeps the documents
 * it parsed (keyed by the query's hash) and hands the same object to every request that
 * sends the same query, so the schema walk, the costliest part of the limits check, runs once
 * per distinct query instead of on every request. A new schema (a supergraph update) walks
 * again; a document nobody uses any more is dropped with it (weak keys).
 */
const factsByDocument = new WeakMap<
  DocumentNode,
  { schema: GraphQLSchema; factsOf: (field: FieldNode) => FieldFacts }
>();

export function cachedSchemaFieldFacts(
  schema: GraphQLSchema,
  document: DocumentNode,
): (field: FieldNode) => FieldFacts {
  const cached = factsByDocument.get(document);
  if (cached?.schema === schema) return cached.factsOf;
  const factsOf = schemaFieldFacts(schema, document);
  factsByDocument.set(document, { schema, factsOf });
  return factsOf;
}

interface Measured {
  /** Depth below the selection set's parent. */
  depth: number;
  cost: number;
  aliases: number;
  introspection: boolean;
}

const NOTHING: Measured = { depth: 0, cost: 0, aliases: 0, introspection: false };

function intValue(
  node: ValueNode,
  variables: Record<string, unknown>,
  defaults: Map<string, number>,
): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (value === undefined) return defaults.get(node.name.value);
  }
  return undefined;
}

/**
 * Measures one operation of a document, before it is planned or executed. Fragments are
 * followed (each fragment is measured once per page context, so nested fragment fan-out
 * costs linear time here; a fragment cycle, which validation refuses anyway, counts as
 * empty), and introspection fields are left out of depth and cost.
 *
 * Page sizes: a list field is multiplied by its own `first`/`last`/`count`/`limit`
 * argument (a literal, a variable, the variable's default or the schema's default), else
 * by the page argument of the connection right above it (`keys(first: 50) { edges {...} }`),
 * else by DEFAULT_LIST_SIZE. Multiplication nests.
 */
export function measureOperation(
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> = {},
  factsOf: (field: FieldNode) => FieldFacts = guessFieldFacts,
): OperationMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { ...NOTHING };

  const variableDefaults = new Map<string, number>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue?.kind === Kind.INT)
      variableDefaults.set(def.variable.name.value, Number(def.defaultValue.value));
  }
  const pageSizeOf = (args: readonly ArgumentNode[] | undefined, facts: FieldFacts): number | undefined => {
    for (const arg of args ?? []) {
      if (!PAGE_ARGUMENTS.includes(arg.name.value)) continue;
      const n = intValue(arg.value, variables, variableDefaults);
      if (n !== undefined) return Math.max(1, n);
    }
    return facts.defaultPageSize;
  };

  const memo = new Map<string, Measured>();
  const inProgress = new Set<string>();

  const measureSet = (set: SelectionSetNode, inheritedPage: number | undefined): Measured => {
    let depth = 0;
    let cost = 0;
    let aliases = 0;
    let introspection = false;
    const add = (m: Measured) => {
      depth = Math.max(depth, m.depth);
      cost += m.cost;
      aliases += m.aliases;
      introspection ||= m.introspection;
    };
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        const name = sel.name.value;
        if (name.startsWith('__')) {
          // __typename, __schema, __type: answered by the gateway itself, no subgraph work.
          if (INTROSPECTION_ROOTS.has(name)) introspection = true;
          continue;
        }
        const facts = factsOf(sel);
        const page = pageSizeOf(sel.arguments, facts);
        const multiplier = facts.list ? (page ?? inheritedPage ?? DEFAULT_LIST_SIZE) : 1;
        // A page argument on an object (a connection) sizes the lists directly inside it.
        const childPage = facts.list ? undefined : page;
        const inner = sel.selectionSet ? measureSet(sel.selectionSet, childPage) : NOTHING;
        add({
          depth: 1 + inner.depth,
          cost: 1 + multiplier * inner.cost,
          aliases: inner.aliases,
          introspection: inner.introspection,
        });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        add(measureSet(sel.selectionSet, inheritedPage));
      } else {
        const fragment = fragments.get(sel.name.value);
        if (!fragment) continue;
        const key = `${sel.name.value}|${inheritedPage ?? ''}`;
        let measured = memo.get(key);
        if (!measured) {
          if (inProgress.has(key)) continue;
          inProgress.add(key);
          measured = measureSet(fragment.selectionSet, inheritedPage);
          inProgress.delete(key);
          memo.set(key, measured);
        }
        add(measured);
      }
    }
    return { depth, cost, aliases, introspection };
  };

  return measureSet(operation.selectionSet, undefined);
}
