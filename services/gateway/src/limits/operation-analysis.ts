import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';

export interface OperationMeasures {
  /** Deepest field nesting (the operation's root fields are depth 1). */
  depth: number;
  /** Fields weighted by the page sizes of the lists around them. */
  cost: number;
  aliases: number;
}

/** Arguments that size a list, and the size assumed when a list field has none. */
const PAGE_ARGUMENTS = ['first', 'last', 'count', 'limit'];
export const DEFAULT_LIST_SIZE = 10;

function numericValue(node: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const v = variables[node.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

function multiplierOf(field: FieldNode, variables: Record<string, unknown>, isList: (f: FieldNode) => boolean): number {
  for (const arg of field.arguments ?? []) {
    if (PAGE_ARGUMENTS.includes(arg.name.value)) {
      const n = numericValue(arg.value, variables);
      if (n !== undefined) return Math.max(1, n);
    }
  }
  return isList(field) ? DEFAULT_LIST_SIZE : 1;
}

/**
 * Measures an operation before it is planned. Fragments are followed (a fragment cycle is
 * a validation error graphql-js reports; here visiting stops at the first repeat), and
 * introspection fields count for depth only.
 */
export function measureOperation(
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> = {},
  isList: (field: FieldNode) => boolean = (f) => (f.selectionSet ? /s$|edges$|connection$/i.test(f.name.value) : false),
): OperationMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { depth: 0, cost: 0, aliases: 0 };

  let aliases = 0;
  const walk = (set: SelectionSetNode, depth: number, seen: Set<string>): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases++;
        if (sel.name.value === '__typename') continue;
        const fieldDepth = depth + 1;
        if (!sel.selectionSet) {
          maxDepth = Math.max(maxDepth, fieldDepth);
          cost += 1;
          continue;
        }
        const inner = walk(sel.selectionSet, fieldDepth, seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        const introspection = sel.name.value.startsWith('__');
        cost += introspection ? 1 : 1 + multiplierOf(sel, variables, isList) * inner.cost;
      } else {
        const target =
          sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : fragments.get(sel.name.value)?.selectionSet;
        if (!target) continue;
        const name = sel.kind === Kind.FRAGMENT_SPREAD ? sel.name.value : undefined;
        if (name && seen.has(name)) continue;
        const inner = walk(target, depth, name ? new Set([...seen, name]) : seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      }
    }
    return { depth: maxDepth, cost };
  };
  const result = walk(operation.selectionSet, 0, new Set());
  return { ...result, aliases };
}
