import { execFileSync } from 'node:child_process';

/** One git command's output in `cwd`, trimmed; empty when git fails (not a repository, no such remote). */
export function git(cwd: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}
