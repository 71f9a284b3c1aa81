/** Why a request body is refused before GraphQL sees it, or undefined when it may pass. */
export function batchRefusal(body: unknown): string | undefined {
  if (!Array.isArray(body)) return undefined;
  return 'Batched requests are not supported: send one operation per HTTP request';
}
