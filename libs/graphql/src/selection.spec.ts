import { FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { selectsField } from './selection';

function infoOf(query: string) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selectsField', () => {
  it('finds a field selected directly, in an inline fragment or in a fragment spread', () => {
    expect(selectsField(infoOf('mutation { heartbeat(sessionId: "s") { sessionId token } }'), 'token')).toBe(true);
    expect(
      selectsField(infoOf('mutation { heartbeat(sessionId: "s") { ... on SessionHeartbeat { token } } }'), 'token'),
    ).toBe(true);
    expect(
      selectsField(
        infoOf(
          'mutation { heartbeat(sessionId: "s") { ...Beat } } fragment Beat on SessionHeartbeat { expiresAt token }',
        ),
        'token',
      ),
    ).toBe(true);
  });

  it('does not find one that is not selected, nor one nested deeper', () => {
    expect(selectsField(infoOf('mutation { heartbeat(sessionId: "s") { sessionId expiresAt } }'), 'token')).toBe(false);
    expect(selectsField(infoOf('query { licenseKey(code: "c") { sessions { token } } }'), 'token')).toBe(false);
    expect(
      selectsField(
        infoOf('mutation { heartbeat(sessionId: "s") { ...A } } fragment A on X { ...A sessionId }'),
        'token',
      ),
    ).toBe(false);
  });
});
