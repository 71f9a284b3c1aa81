/**
 * graphql-js appends hints such as ` Did you mean "products"?` to validation and input
 * coercion errors. They map the schema for anyone probing it, so production strips them.
 */
export function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean\b.*\?\s*$/s, '');
}
