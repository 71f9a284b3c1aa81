import fc from 'fast-check';
import {
  getNullableType,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  Kind,
  OperationDefinitionNode,
  parse,
  typeFromAST,
} from 'graphql';
import {
  BadValue,
  badValuesFor,
  EXTRA_FIELD_NAMES,
  extraVariableValue,
  FixturePool,
  nonObjectVariables,
  RawJson,
} from './fuzz-values';

export type Path = (string | number)[];

/** One place in an operation's variables where a value can go: a variable, an input field, a list item. */
export interface Slot {
  path: Path;
  name: string;
  type: GraphQLInputType;
  /** Whether the baseline sets it (only those can go missing). */
  present: boolean;
  baseline: unknown;
}

/**
 * One bad input: a change to the baseline variables. `set` replaces the value at `path`,
 * `delete` removes it, `extra` adds the undeclared field `field` to the object at `path`,
 * `variables` replaces the whole variables member.
 */
export interface Mutation {
  op: 'set' | 'delete' | 'extra' | 'variables';
  path: Path;
  field?: string;
  valueClass: string;
  value?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every slot of an operation's variables: the variables its document declares and,
 * walking the schema's input types, every field of every input object (set in the
 * baseline or not) and the first item of every list the baseline fills.
 */
export function slotsOf(schema: GraphQLSchema, document: string, baseline: Record<string, unknown>): Slot[] {
  const op = parse(document).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (!op) throw new Error('no operation in the document');
  const slots: Slot[] = [];
  const walk = (path: Path, name: string, type: GraphQLInputType, present: boolean, value: unknown) => {
    slots.push({ path, name, type, present, baseline: value });
    const nullable = getNullableType(type);
    if (isListType(nullable) && Array.isArray(value) && value.length > 0) {
      walk([...path, 0], name, nullable.ofType as GraphQLInputType, true, value[0]);
    } else if (isInputObjectType(nullable) && isObject(value)) {
      for (const field of Object.values(nullable.getFields())) {
        walk([...path, field.name], field.name, field.type, field.name in value, value[field.name]);
      }
    }
  };
  for (const def of op.variableDefinitions ?? []) {
    const type = typeFromAST(schema, def.type);
    if (!type || !isInputType(type)) throw new Error(`unknown type of $${def.variable.name.value}`);
    const name = def.variable.name.value;
    walk([name], name, type, name in baseline, baseline[name]);
  }
  return slots;
}

/** The bad inputs of one operation, as one arbitrary: a slot at random, then a bad value for it. */
export function mutationArbitrary(slots: Slot[], pool?: FixturePool): fc.Arbitrary<Mutation> {
  const perSlot = slots.map((slot) => {
    const changes: fc.Arbitrary<Mutation>[] = [
      badValuesFor(slot, pool).map((b: BadValue) => ({ op: 'set' as const, path: slot.path, ...b })),
    ];
    const inList = typeof slot.path[slot.path.length - 1] === 'number';
    if (slot.present && !inList) {
      changes.push(
        fc.constant({
          op: 'delete' as const,
          path: slot.path,
          valueClass: isNonNullType(slot.type) ? 'missing-required' : 'missing-optional',
        }),
      );
    }
    if (isInputObjectType(getNullableType(slot.type)) && slot.present) {
      changes.push(
        fc
          .tuple(fc.constantFrom(...EXTRA_FIELD_NAMES), fc.constantFrom<unknown>('x', 1, null, { a: 1 }))
          .map(([field, value]) => ({
            op: 'extra' as const,
            path: slot.path,
            field,
            value,
            valueClass: 'unknown-field',
          })),
      );
    }
    return { arbitrary: fc.oneof(...changes), weight: 10 };
  });
  const whole: fc.Arbitrary<Mutation>[] = [
    nonObjectVariables.map((b) => ({ op: 'variables' as const, path: [], ...b })),
    fc
      .tuple(fc.constantFrom('extra', 'input2', '__proto__'), extraVariableValue)
      .map(([field, b]) => ({ op: 'extra' as const, path: [], field, ...b })),
  ];
  // Operations without variables get only these; others get them now and then.
  return fc.oneof(...perSlot, ...whole.map((arbitrary) => ({ arbitrary, weight: slots.length ? 1 : 10 })));
}

/**
 * The variables with the mutation applied (they are not changed). A slot that an earlier
 * mutation replaced by something without it is left as it is.
 */
export function applyMutation(variables: unknown, m: Mutation): unknown {
  if (m.op === 'variables') return m.value;
  if (!isObject(variables)) return variables;
  const root = structuredClone(variables);
  let parent: unknown = root;
  const path = m.op === 'extra' ? m.path : m.path.slice(0, -1);
  for (const key of path) {
    parent = (parent as Record<string | number, unknown>)[key];
    if (typeof parent !== 'object' || parent === null || parent instanceof RawJson) return root;
  }
  const target = parent as Record<string | number, unknown>;
  if (m.op === 'extra') {
    // defineProperty, so `__proto__` becomes an own key that JSON.stringify sends.
    Object.defineProperty(target, m.field!, { value: m.value, enumerable: true, configurable: true, writable: true });
    return root;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.op === 'delete') delete target[last];
  else target[last] = m.value;
  return root;
}

/** A path as people write it: `input.products[0].productCode`. */
export function pathName(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(variables)';
}

/** A value for a failure report: long strings cut, every odd character escaped by JSON. */
export function showValue(value: unknown, max = 300): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)…${v.slice(-20)}` : v,
  );
  if (text === undefined) return String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
