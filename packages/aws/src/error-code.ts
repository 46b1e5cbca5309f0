/**
 * True when an SDK call failed with one of these AWS error codes, e.g. `ClusterNotFoundException`. The SDK
 * names each service exception class after its code, so `name` is the code.
 */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes(error.name);
}
