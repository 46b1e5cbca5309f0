import { parseJson } from './http.js';

/** What a version endpoint such as `{service, version, gitSha, buildTime}` says about the running build. */
export interface ReportedVersion {
  gitSha?: string;
  version?: string;
}

export function readVersion(body: string): ReportedVersion | undefined {
  const json = parseJson(body);
  if (typeof json !== 'object' || json === null) return undefined;
  const { gitSha, version } = json as Record<string, unknown>;
  const reported: ReportedVersion = {
    gitSha: typeof gitSha === 'string' && gitSha !== '' ? gitSha : undefined,
    version: typeof version === 'string' && version !== '' ? version : undefined,
  };
  return reported.gitSha || reported.version ? reported : undefined;
}

/**
 * True when the service runs the expected build: its `gitSha` is the same commit (a short SHA of at least
 * 7 characters matches the full one, either way round), or its `version` equals the expected value exactly
 * (for teams that deploy release numbers rather than commits).
 */
export function matchesExpectedVersion(reported: ReportedVersion, expected: string): boolean {
  if (reported.gitSha && sameCommit(reported.gitSha, expected)) return true;
  return reported.version === expected;
}

function sameCommit(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (x === y) return true;
  const sha = /^[0-9a-f]{7,64}$/;
  return sha.test(x) && sha.test(y) && (x.startsWith(y) || y.startsWith(x));
}

export function describeVersion(reported: ReportedVersion): string {
  const parts = [];
  if (reported.gitSha) parts.push(`gitSha ${reported.gitSha}`);
  if (reported.version) parts.push(`version ${reported.version}`);
  return parts.join(', ');
}
