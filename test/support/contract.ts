import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperationDefinitionNode, parse, print, visit } from 'graphql';

const contractDir = join(__dirname, '..', '..', 'contract');

let operations: Map<string, string> | undefined;

/** The text of one named operation of the project's contract, exactly as written there. */
export function contractOperation(name: string): string {
  if (!operations) {
    operations = new Map();
    for (const file of readdirSync(contractDir).filter((f) => f.endsWith('.graphql'))) {
      const source = readFileSync(join(contractDir, file), 'utf8');
      for (const def of parse(source).definitions) {
        const op = def as OperationDefinitionNode;
        if (op.name && op.loc) operations.set(op.name.value, source.slice(op.loc.start, op.loc.end));
      }
    }
  }
  const text = operations.get(name);
  if (!text) throw new Error(`No contract operation named ${name}`);
  return text;
}

/**
 * A contract operation with the named fields taken out, wherever they stand: used to
 * exercise what one service owns of an operation that spans services not built yet.
 */
export function contractOperationWithout(name: string, fields: readonly string[]): string {
  const trimmed = visit(parse(contractOperation(name)), {
    Field: (node) => (fields.includes(node.name.value) ? null : undefined),
  });
  return print(trimmed);
}
