/**
 * class-transformer helpers for GraphQL inputs, shared by every subgraph: what arrives as
 * text is stored tidied, and every service tidies a field of one kind the same way.
 */
type Input = { value: unknown };

export const trim = ({ value }: Input) => (typeof value === 'string' ? value.trim() : value);

/** Blank optional text is stored as null. */
export const trimOrNull = ({ value }: Input) => (typeof value === 'string' ? value.trim() || null : value);

export const lowerTrim = ({ value }: Input) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** E-mail addresses are stored lower case; blank is null. */
export const emailOrNull = ({ value }: Input) =>
  typeof value === 'string' ? value.trim().toLowerCase() || null : value;

export const upperTrim = ({ value }: Input) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
