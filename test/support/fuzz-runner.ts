import fc from 'fast-check';
import { GraphQLSchema, Kind, OperationDefinitionNode, parse } from 'graphql';
import { applyMutation, Mutation, mutationArbitrary, pathName, showValue, slotsOf } from './fuzz-inputs';
import { RowCounter, RowCounts } from './fuzz-rows';
import { fixturePool, toJsonBody } from './fuzz-values';

/** Who sends an operation: the token it carries (none: an application, or a public login). */
export type IdentityName = 'operator' | 'vendor' | 'staff' | 'client' | 'none';

/** One operation under fuzz: its document, who it is meant for, and valid variables. */
export interface FuzzOperation<F> {
  /** The contract's operation name, or the name of the document written for a root field. */
  name: string;
  document: string;
  identities: IdentityName[];
  /** Valid variables from the fixtures; `n` is unique per call, for values that must be unique. */
  baseline: (fixtures: F, n: number) => Record<string, unknown>;
  /** Fuzzed after every other mutation: its inputs may remove fixtures the others use. */
  destructive?: boolean;
}

export interface Answer {
  status: number;
  text: string;
  body?: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: Record<string, any> }[] };
  requestId?: string;
}

/** Sends one HTTP request with a raw body; never throws on what the server answers. */
export async function send(
  url: string,
  body: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return toAnswer(
    await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body,
    }),
  );
}

/** Sends a GET request with the given query parameters. */
export async function sendGet(
  url: string,
  params: Record<string, string>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return toAnswer(
    await fetch(`${url}?${new URLSearchParams(params).toString()}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    }),
  );
}

async function toAnswer(res: Response): Promise<Answer> {
  const text = await res.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    parsed = undefined;
  }
  const fromErrors = parsed?.errors?.find((e) => e.extensions?.['requestId'])?.extensions?.['requestId'];
  return {
    status: res.status,
    text,
    body: parsed,
    requestId: res.headers.get('x-request-id') ?? (typeof fromErrors === 'string' ? fromErrors : undefined),
  };
}

/** What must hold for every answer, whatever was sent. */
export function answerProblems(answer: Answer): Problem[] {
  const problems: Problem[] = [];
  if (answer.status >= 500) problems.push('5xx');
  if (!answer.body || typeof answer.body !== 'object') {
    problems.push('not-json');
    return problems;
  }
  const errors = answer.body.errors ?? [];
  if (errors.some((e) => e.extensions?.['code'] === 'INTERNAL_SERVER_ERROR')) problems.push('internal');
  if (errors.some((e) => typeof e.extensions?.['code'] !== 'string')) problems.push('uncoded');
  if (!errors.length && !answer.body.data) problems.push('not-graphql');
  return problems;
}

export type Problem =
  | '5xx'
  | 'internal'
  | 'uncoded'
  | 'not-json'
  /** JSON, but neither `data` nor `errors`. */
  | 'not-graphql'
  | 'rows-changed'
  /** Raw requests: not the status or code the case expects. */
  | 'wrong-status'
  | 'wrong-code';

/**
 * A failure the suite knows about and reports without failing: the services are to be
 * fixed, then the entry removed. `path` is matched against the slot (`input.client.email`,
 * list items as `[0]`), `valueClasses` against the bad value's class (any when omitted).
 */
export interface KnownFailure {
  /** An operation's name (`raw request` for the malformed requests), or a pattern of names. */
  operation: string | RegExp;
  path: string | RegExp;
  valueClasses?: string[];
  problems: Problem[];
  /** What goes wrong, in the service's words where its log says. */
  note: string;
}

export interface Failure {
  operation: string;
  identity: IdentityName;
  /** The bad slots of the input: one, or more with FUZZ_SLOTS. */
  mutations: Mutation[];
  variables: unknown;
  answer: Answer;
  problems: Problem[];
  rowChanges: string[];
  log: string[];
  known?: KnownFailure;
}

export interface OperationStats {
  operation: string;
  kind: 'query' | 'mutation';
  tried: number;
  accepted: number;
  refusedBy: Record<string, number>;
  internal: number;
  fiveXX: number;
  rowsChanged: number;
  /** Row differences that a replay showed were another request's late effects. */
  settledNoise: number;
  failures: Failure[];
  /** fast-check's report of the first failure that is not known, if any. */
  report?: string;
  ms: number;
  /** How often the stack was brought to rest, and the time it took. */
  settles: number;
  settleMs: number;
}

export interface FuzzContext<F> {
  schema: GraphQLSchema;
  url: string;
  fixtures: F;
  tokens: Record<IdentityName, string | undefined>;
  rows: RowCounter;
  /** Server log lines about one request id (the services' output and the gateway's). */
  logFor(requestId: string | undefined): string[];
  knownFailures: readonly KnownFailure[];
  numRuns: number;
  seed: number;
  /** fast-check's replay path (FUZZ_PATH), for one operation. */
  path?: string;
  shrink: boolean;
  /** At most this many slots made bad in one input (FUZZ_SLOTS, default 1). */
  slotsPerInput: number;
  /** A mutation's refused cases between two settled counts (FUZZ_BATCH); 1 settles after each. */
  batchSize: number;
}

/** A change as people read it: `set input.email (nul) = "a\u0000b"`. */
function describeMutation(m: Mutation): string {
  const field = m.field !== undefined ? ` + ${JSON.stringify(m.field)}` : '';
  const value = m.op === 'delete' ? '' : ` = ${showValue(m.value, 200)}`;
  return `${m.op} ${pathName(m.path)}${field} (${m.valueClass})${value}`;
}

/** One generated input; fast-check prints it in its reports, long values cut. */
class FuzzCase {
  constructor(
    readonly identity: IdentityName,
    readonly mutations: Mutation[],
  ) {}

  [fc.toStringMethod](): string {
    return `${this.identity}: ${this.mutations.map(describeMutation).join('; ')}`;
  }
}

let counter = 0;
/** Unique per call, across operations and replays. */
export const nextN = () => ++counter;

export function operationFacts(document: string): { kind: 'query' | 'mutation'; rootField: string } {
  const op = parse(document).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const field = op.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  if (!field || field.kind !== Kind.FIELD) throw new Error('no root field');
  return { kind: op.operation === 'mutation' ? 'mutation' : 'query', rootField: field.name.value };
}

/** A 32-bit seed of its own for each operation, derived from the run's seed. */
export function operationSeed(seed: number, name: string): number {
  let h = seed | 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

const normalizedPath = (m: Mutation) => pathName(m.path).replace(/\[\d+\]/g, '[0]');

/** The entry of `known` that covers the failure: its operation, one of its bad slots and every problem. */
export function matchKnown(f: Omit<Failure, 'known'>, known: readonly KnownFailure[]): KnownFailure | undefined {
  return known.find(
    (k) =>
      (typeof k.operation === 'string' ? k.operation === f.operation : k.operation.test(f.operation)) &&
      f.mutations.some((m) => {
        const path = normalizedPath(m);
        return (
          (typeof k.path === 'string' ? k.path === path : k.path.test(path)) &&
          (!k.valueClasses || k.valueClasses.includes(m.valueClass))
        );
      }) &&
      f.problems.every((p) => k.problems.includes(p)),
  );
}

export function describeFailure(f: Failure): string {
  return [
    `${f.operation} as ${f.identity}: ${f.problems.join(', ')}`,
    ...f.mutations.map((m) => `  ${describeMutation(m)}`),
    `  variables ${showValue(f.variables, 600)}`,
    `  answer ${f.answer.status} ${showValue(f.answer.body ?? f.answer.text, 800)}`,
    ...(f.rowChanges.length ? [`  rows changed: ${f.rowChanges.join(', ')}`] : []),
    ...(f.log.length ? ['  server log:', ...f.log.map((l) => `    ${l}`)] : []),
  ].join('\n');
}

const refused = (answer: Answer, rootField: string) =>
  !!answer.body?.errors?.length && (answer.body.data == null || answer.body.data[rootField] == null);

/** A refused case of a mutation, kept until a settled count vouches for it. */
interface SentCase {
  identity: IdentityName;
  mutations: Mutation[];
  /** The run's index: fast-check's FUZZ_PATH for it. */
  index: number;
}

/**
 * Runs `numRuns` generated bad inputs of one operation through the gateway and checks each
 * answer. For a mutation, the row counts: each refused case is compared at once with the
 * count taken just before it (one count between two cases), and the stack is brought to rest
 * (RowCounter.settle) after every accepted case, whose late effects are its own, and after
 * every `batchSize` refused ones: a settled count equal to the one before the batch shows
 * that no refused case of it set anything off later either. On a difference (at once or
 * settled) the batch is closed and sent again in halves, each between two settles, down to
 * the case that writes.
 */
export async function fuzzOperation<F>(op: FuzzOperation<F>, ctx: FuzzContext<F>): Promise<OperationStats> {
  const started = Date.now();
  const { kind, rootField } = operationFacts(op.document);
  const slots = slotsOf(ctx.schema, op.document, op.baseline(ctx.fixtures, 0));
  const stats: OperationStats = {
    operation: op.name,
    kind,
    tried: 0,
    accepted: 0,
    refusedBy: {},
    internal: 0,
    fiveXX: 0,
    rowsChanged: 0,
    settledNoise: 0,
    failures: [],
    ms: 0,
    settles: 0,
    settleMs: 0,
  };
  const arbitrary = fc
    .record({
      identity: fc.constantFrom(...op.identities),
      mutations: fc.array(mutationArbitrary(slots, fixturePool(ctx.fixtures)), {
        minLength: 1,
        maxLength: ctx.slotsPerInput,
      }),
    })
    .map(({ identity, mutations }) => new FuzzCase(identity, mutations));

  const call = (variables: unknown, identity: IdentityName) =>
    send(ctx.url, toJsonBody({ query: op.document, variables }), ctx.tokens[identity]);

  // The case's variables on a baseline of its own (fresh unique values: e-mails, idempotency keys).
  const build = (mutations: Mutation[]) =>
    mutations.reduce<unknown>((vars, m) => applyMutation(vars, m), op.baseline(ctx.fixtures, nextN()));

  /** The counts of the latest settle. */
  let lastSettled: RowCounts | undefined;
  const settle = async () => {
    const t = Date.now();
    const counts = await ctx.rows.settle();
    stats.settles++;
    stats.settleMs += Date.now() - t;
    lastSettled = counts;
    return counts;
  };

  /**
   * Sends the cases again (fresh unique values, so an idempotency key cannot answer from
   * memory) between two settles; when the counts moved, halves them down to one case that
   * is refused and still writes, twice. None found: the first difference was work on a timer.
   */
  const isolate = async (
    cases: SentCase[],
    confirm = true,
  ): Promise<{ sent: SentCase; variables: unknown; answer: Answer; changes: string[] } | undefined> => {
    const before = await settle();
    const again: { variables: unknown; answer: Answer }[] = [];
    for (const c of cases) {
      const variables = build(c.mutations);
      again.push({ variables, answer: await call(variables, c.identity) });
    }
    const changes = RowCounter.diff(before, await settle());
    if (!changes.length) return undefined;
    if (cases.length === 1) {
      if (!refused(again[0]!.answer, rootField)) return undefined;
      // Once more, should a timer have struck the first time.
      return confirm ? isolate(cases, false) : { sent: cases[0]!, ...again[0]!, changes };
    }
    const half = Math.ceil(cases.length / 2);
    return (await isolate(cases.slice(0, half))) ?? (await isolate(cases.slice(half)));
  };

  /** The counts at rest before the refused cases of `batch`. */
  let rest: RowCounts | undefined;
  /** The counts just after the previous case: the next one's "before". */
  let last: RowCounts | undefined;
  let batch: SentCase[] = [];
  let runs = 0;

  const rowFailure = (
    found: { sent: SentCase; variables: unknown; answer: Answer; changes: string[] },
    via: string,
  ): Failure => {
    stats.rowsChanged++;
    const failure: Failure = {
      operation: op.name,
      identity: found.sent.identity,
      mutations: found.sent.mutations,
      variables: found.variables,
      answer: found.answer,
      problems: ['rows-changed'],
      rowChanges: [...found.changes, `(${via}; replay with FUZZ_PATH=${found.sent.index})`],
      log: ctx.logFor(found.answer.requestId),
    };
    failure.known = matchKnown(failure, ctx.knownFailures);
    stats.failures.push(failure);
    return failure;
  };

  /** Settles and compares with the count before the batch; on a difference, finds the case. */
  const closeBatch = async () => {
    const cases = batch;
    batch = [];
    const settled = await settle();
    const moved = rest ? RowCounter.diff(rest, settled) : [];
    rest = settled;
    last = settled;
    if (!moved.length || !cases.length) return;
    const found = await isolate(cases);
    batch = [];
    rest = last = lastSettled;
    if (!found) {
      stats.settledNoise++;
      return;
    }
    const failure = rowFailure(found, 'found by the settled count after its batch');
    if (!failure.known) throw new Error(describeFailure(failure));
  };

  const property = fc.asyncProperty(arbitrary, async ({ identity, mutations }) => {
    const index = runs++;
    const variables = build(mutations);
    let answer: Answer;
    if (kind === 'mutation') {
      if (!rest || !last) rest = last = await settle();
      const before = last;
      answer = await call(variables, identity);
      last = await ctx.rows.snapshot();
      if (refused(answer, rootField)) {
        batch.push({ identity, mutations, index });
        // A change at once after a refused case: the case wrote, or work on a timer landed
        // meanwhile. The batch is closed now, which tells them apart.
        if (RowCounter.diff(before, last).length || batch.length >= ctx.batchSize) await closeBatch();
      } else {
        // Accepted: what it sets off is its own; the next case starts from the stack at rest
        // (at once when it enqueued no event and left nothing under way). The refused cases
        // before it were each compared with the count just before them.
        batch = [];
        if (ctx.rows.setNothingOff(before, last)) rest = last;
        else rest = last = await settle();
      }
    } else {
      answer = await call(variables, identity);
    }

    stats.tried++;
    // (A refused case that writes is found and reported by closeBatch.)
    const problems = answerProblems(answer);
    if (refused(answer, rootField)) {
      const code = String(answer.body?.errors?.[0]?.extensions?.['code'] ?? `HTTP ${answer.status}`);
      stats.refusedBy[code] = (stats.refusedBy[code] ?? 0) + 1;
    } else if (answer.body?.data?.[rootField] != null) {
      stats.accepted++;
    }
    if (problems.includes('internal')) stats.internal++;
    if (problems.includes('5xx')) stats.fiveXX++;
    if (!problems.length) {
      // The last run's batch is closed here, inside the property, so a failure names its case.
      if (kind === 'mutation' && index === ctx.numRuns - 1) await closeBatch();
      return;
    }

    const failure: Failure = {
      operation: op.name,
      identity,
      mutations,
      variables,
      answer,
      problems,
      rowChanges: [],
      log: ctx.logFor(answer.requestId),
    };
    failure.known = matchKnown(failure, ctx.knownFailures);
    stats.failures.push(failure);
    if (!failure.known) throw new Error(describeFailure(failure));
    if (kind === 'mutation' && index === ctx.numRuns - 1) await closeBatch();
  });

  try {
    await fc.assert(property, {
      numRuns: ctx.numRuns,
      seed: operationSeed(ctx.seed, op.name),
      endOnFailure: !ctx.shrink,
      // The report then shows the operation, the variables, the answer and the server's log.
      includeErrorInReport: true,
      ...(ctx.path ? { path: ctx.path } : {}),
    });
    // A replayed path runs fewer cases than numRuns: its batch is closed here.
    if (kind === 'mutation' && batch.length) await closeBatch();
  } catch (error) {
    stats.report = error instanceof Error ? error.message : String(error);
  }
  stats.ms = Date.now() - started;
  return stats;
}

/** Runs the tasks with at most `limit` at a time, in order of start. */
export async function inPool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One summary line per operation and the totals. */
export function summary(all: OperationStats[]): string {
  const line = (s: Pick<OperationStats, 'tried' | 'accepted' | 'refusedBy' | 'internal' | 'fiveXX'>) => {
    const refusedTotal = Object.values(s.refusedBy).reduce((a, b) => a + b, 0);
    const by = Object.entries(s.refusedBy)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    return `${String(s.tried).padStart(5)} tried, ${String(refusedTotal).padStart(4)} refused (${by}), ${s.accepted} accepted, ${s.internal} internal, ${s.fiveXX} 5xx`;
  };
  const width = Math.max(...all.map((s) => s.operation.length), 6);
  const lines = all.map((s) => {
    const extra = [
      s.rowsChanged ? `${s.rowsChanged} wrote rows while refused` : '',
      s.failures.filter((f) => f.known).length ? `${s.failures.filter((f) => f.known).length} known failures` : '',
      s.settledNoise ? `${s.settledNoise} replayed after late effects` : '',
      s.settles ? `${s.settles} settles ${(s.settleMs / 1000).toFixed(1)} s` : '',
      `${(s.ms / 1000).toFixed(1)} s`,
    ]
      .filter(Boolean)
      .join('; ');
    return `${s.operation.padEnd(width)} ${s.kind === 'mutation' ? 'M' : 'Q'} ${line(s)} [${extra}]`;
  });
  const total = all.reduce(
    (t, s) => {
      t.tried += s.tried;
      t.accepted += s.accepted;
      t.internal += s.internal;
      t.fiveXX += s.fiveXX;
      for (const [c, n] of Object.entries(s.refusedBy)) t.refusedBy[c] = (t.refusedBy[c] ?? 0) + n;
      return t;
    },
    { tried: 0, accepted: 0, internal: 0, fiveXX: 0, refusedBy: {} as Record<string, number> },
  );
  return [...lines, `${'TOTAL'.padEnd(width)}   ${line(total)}`].join('\n');
}
