/**
 * Contract operations that no issue has implemented yet. This is the only list of
 * exceptions the contract test accepts: every other operation must validate against the
 * composed supergraph and is exercised end to end. Each issue shrinks this list.
 */
export const PENDING_OPERATIONS: Readonly<Record<string, string>> = {
};
