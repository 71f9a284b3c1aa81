import { ASTNode, DocumentNode, GraphQLError, Kind } from 'graphql';
import { ErrorCode } from './error-codes';

/**
 * The one rule for text at every boundary: no NUL character (Postgres cannot store it) and no
 * lone UTF-16 surrogate (it is not text: JSON encoders, e-mail validators and the database
 * each fail on it differently). Everything else a person can type is accepted.
 */
const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text is refused, or undefined when it is fine. */
export function textProblem(text: string): string | undefined {
  if (NUL.test(text)) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it has an unpaired surrogate)';
  return undefined;
}

export interface MalformedText {
  /** Where the text is: `$input.client.email` for a variable, `input.name` for a literal argument. */
  field: string;
  problem: string;
}

/** Deeper than any input of this platform: a value nested further is refused, not walked. */
export const MAX_INPUT_DEPTH = 32;

/**
 * The first malformed text in a JSON-like value, with its path below `path`. Walks with its
 * own stack, not by recursion, so no nesting a client sends can exhaust the call stack.
 */
export function findMalformedValue(value: unknown, path: string): MalformedText | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  while (pending.length) {
    const next = pending.pop()!;
    if (typeof next.value === 'string') {
      const problem = textProblem(next.value);
      if (problem) return { field: next.path, problem };
      continue;
    }
    if (!next.value || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_INPUT_DEPTH) {
      return { field: next.path, problem: `nests deeper than ${MAX_INPUT_DEPTH} levels` };
    }
    const entries = Array.isArray(next.value)
      ? next.value.map((v, i) => [String(i), v] as const)
      : Object.entries(next.value as Record<string, unknown>);
    // Pushed in reverse, so the first field is looked at first.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i]!;
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: `${next.path}.${key}`, problem: keyProblem };
      pending.push({ value: inner, path: next.path ? `${next.path}.${key}` : key, depth: next.depth + 1 });
    }
  }
  return undefined;
}

/** The first malformed string literal in a document, named by its argument and field path. */
function findMalformedLiteral(node: ASTNode, path: string[]): MalformedText | undefined {
  switch (node.kind) {
    case Kind.STRING: {
      const problem = textProblem(node.value);
      return problem ? { field: path.join('.') || 'query', problem } : undefined;
    }
    case Kind.ARGUMENT:
    case Kind.OBJECT_FIELD:
      return findMalformedLiteral(node.value, [...path, node.name.value]);
    case Kind.LIST:
      for (const [i, v] of node.values.entries()) {
        const found = findMalformedLiteral(v, [...path, String(i)]);
        if (found) return found;
      }
      return undefined;
    case Kind.OBJECT:
      for (const f of node.fields) {
        const found = findMalformedLiteral(f, path);
        if (found) return found;
      }
      return undefined;
    default:
      for (const child of Object.values(node)) {
        const list = Array.isArray(child) ? (child as unknown[]) : [child];
        for (const item of list) {
          if (item && typeof item === 'object' && 'kind' in item) {
            const found = findMalformedLiteral(item as ASTNode, path);
            if (found) return found;
          }
        }
      }
      return undefined;
  }
}

/**
 * What the literal walk found in each parsed document (null: nothing). Apollo keeps the
 * documents it parsed and hands the same object to every request sending the same query, and
 * a document's literals never change, so each distinct query is walked once; the variables,
 * which change with every request, are checked every time.
 */
const literalFindings = new WeakMap<DocumentNode, MalformedText | null>();

function malformedLiteralOf(document: DocumentNode): MalformedText | undefined {
  let found = literalFindings.get(document);
  if (found === undefined) {
    found = findMalformedLiteral(document, []) ?? null;
    literalFindings.set(document, found);
  }
  return found ?? undefined;
}

/** Checks a whole request: its variables and every string literal of its document. */
export function findMalformedText(
  document: DocumentNode | undefined,
  variables: Record<string, unknown> | undefined | null,
): MalformedText | undefined {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const found = findMalformedValue(value, `$${name}`);
    if (found) return found;
  }
  return document ? malformedLiteralOf(document) : undefined;
}

/** The GraphQL error for malformed text: BAD_USER_INPUT naming the field, HTTP 400. */
export function malformedTextError(found: MalformedText): GraphQLError {
  return new GraphQLError(`Invalid input: ${found.field} ${found.problem}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field: found.field, http: { status: 400 } },
  });
}

/**
 * An Apollo Server plugin that refuses a request with malformed text before anything
 * resolves, on the gateway and on every subgraph alike.
 */
export function textBoundaryPlugin(): {
  requestDidStart(): Promise<{
    didResolveOperation(ctx: {
      document: DocumentNode;
      request: { variables?: Record<string, unknown> | null };
    }): Promise<void>;
  }>;
} {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, request }) => {
          const found = findMalformedText(document, request.variables);
          return found ? Promise.reject(malformedTextError(found)) : Promise.resolve();
        },
      }),
  };
}
