/** Two names typed by people are the same when they differ only in case and surrounding spaces. */
export function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
