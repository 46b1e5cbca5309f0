import { git } from './git.js';
import { UsageError } from './usage-error.js';

// GitHub's rules: an owner of letters, digits and hyphens (at most 39), a name of letters, digits, '.', '-' and '_'.
const OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

export const REPOSITORY_FORM =
  "owner/name (owner: letters, digits and hyphens; name: at most 100 letters, digits, '.', '-' and '_'), " +
  'e.g. acme/orders';

export function isGitHubRepository(value: string): boolean {
  const [owner = '', name = '', ...rest] = value.split('/');
  return rest.length === 0 && OWNER.test(owner) && NAME.test(name) && name !== '.' && name !== '..';
}

/** The hosts a remote may point at: github.com, and the GitHub Enterprise Server of GITHUB_SERVER_URL. */
function githubHosts(serverUrl: string | undefined): string[] {
  const hosts = ['github.com'];
  if (serverUrl) {
    try {
      hosts.push(new URL(serverUrl).hostname.toLowerCase());
    } catch {
      // Not a URL: only github.com; the error then names the hosts it looked for.
    }
  }
  return [...new Set(hosts)];
}

/**
 * owner/name of a GitHub remote: https://github.com/owner/name(.git), git@github.com:owner/name(.git) or
 * ssh://git@github.com/owner/name; undefined for a remote elsewhere or a path that is not owner/name.
 */
export function repositoryFromRemote(remote: string, serverUrl?: string): string | undefined {
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.*)$/.exec(remote);
  if (remote.includes('://')) {
    let url: URL;
    try {
      url = new URL(remote);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
    host = url.hostname;
    path = decodeURIComponent(url.pathname);
  } else if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else return undefined;
  if (!githubHosts(serverUrl).includes(host.toLowerCase())) return undefined;
  const repository = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  return isGitHubRepository(repository) ? repository : undefined;
}

/** A remote as an error may print it: without the user and token of https://user:token@host/... */
function withoutCredentials(remote: string): string {
  try {
    const url = new URL(remote);
    if (url.password === '') return remote;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return remote;
  }
}

/**
 * The GitHub repository the workflows run for (github.repository: the deploy tags, the changelog): --repository,
 * else the working tree's origin remote. Neither is an error, never a default repository of someone else's tags.
 */
export function resolveRepository(given: string | undefined, cwd: string, serverUrl?: string): string {
  if (given !== undefined) return given;
  const remote = git(cwd, 'remote', 'get-url', 'origin');
  const repository = remote ? repositoryFromRemote(remote, serverUrl) : undefined;
  if (repository) return repository;
  const why = remote
    ? `the origin remote ${withoutCredentials(remote)} is not a repository on ${githubHosts(serverUrl).join(' or ')} ` +
      '(set GITHUB_SERVER_URL for GitHub Enterprise Server)'
    : `${cwd} has no origin remote`;
  throw new UsageError(
    `--repository: ${why}; pass the GitHub repository the deploy tags are read from as --repository ${REPOSITORY_FORM}`,
  );
}
