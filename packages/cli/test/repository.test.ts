import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli, UsageError } from '../src/args.js';
import { main } from '../src/main.js';
import { isGitHubRepository, repositoryFromRemote, resolveRepository } from '../src/repository.js';

const temps: string[] = [];
afterAll(() => {
  for (const temp of temps) rmSync(temp, { recursive: true, force: true });
});

/** A git working tree with the given origin remote, or none. */
function workingTree(origin?: string): string {
  const temp = mkdtempSync(join(tmpdir(), 'ecs-actions-cli-repository-'));
  temps.push(temp);
  execFileSync('git', ['init', '--quiet', temp]);
  if (origin !== undefined) execFileSync('git', ['-C', temp, 'remote', 'add', 'origin', origin]);
  return temp;
}

describe('repositoryFromRemote', () => {
  it.each([
    'https://github.com/acme/orders',
    'https://github.com/acme/orders.git',
    'https://github.com/acme/orders/',
    'https://x-access-token:ghp_secret@github.com/acme/orders.git',
    'https://GitHub.com/acme/orders.git',
    'git@github.com:acme/orders.git',
    'git@github.com:acme/orders',
    'ssh://git@github.com/acme/orders',
    'ssh://git@github.com:22/acme/orders.git',
    'git://github.com/acme/orders.git',
  ])('reads acme/orders from %s', (remote) => {
    expect(repositoryFromRemote(remote)).toBe('acme/orders');
  });

  it('keeps the dots, hyphens and underscores of a name', () => {
    expect(repositoryFromRemote('git@github.com:my-org/web.app_v2.git')).toBe('my-org/web.app_v2');
  });

  it.each([
    'https://github.example.com/acme/orders.git',
    'git@github.example.com:acme/orders.git',
    'ssh://git@github.example.com:2222/acme/orders',
  ])('reads a GitHub Enterprise Server remote %s when GITHUB_SERVER_URL names its host', (remote) => {
    expect(repositoryFromRemote(remote, 'https://github.example.com')).toBe('acme/orders');
    expect(repositoryFromRemote(remote)).toBeUndefined();
  });

  it.each([
    'https://gitlab.com/acme/orders.git',
    'git@bitbucket.org:acme/orders.git',
    'https://github.com/acme',
    'https://github.com/acme/orders/tree/main',
    'https://github.com/acme_corp/orders',
    'file:///srv/git/orders.git',
    '/srv/git/orders.git',
    '../orders',
  ])('finds no GitHub repository in %s', (remote) => {
    expect(repositoryFromRemote(remote)).toBeUndefined();
  });
});

describe('isGitHubRepository', () => {
  it.each(['acme/orders', 'a/b', 'Acme-2/.github', `${'o'.repeat(39)}/${'n'.repeat(100)}`])('accepts %s', (value) => {
    expect(isGitHubRepository(value)).toBe(true);
  });

  it.each([
    'orders',
    'acme/orders/extra',
    '/orders',
    'acme/',
    '-acme/orders',
    'acme_corp/orders',
    `${'o'.repeat(40)}/orders`,
    `acme/${'n'.repeat(101)}`,
    'acme/..',
    'acme/or ders',
    'acme/orders!',
  ])('refuses %s', (value) => {
    expect(isGitHubRepository(value)).toBe(false);
  });
});

describe('--repository', () => {
  const deploy = ['deploy', '--environment', 'dev', '--task-definition', 'web-dev:4'];

  it('is passed on as given when it is owner/name', () => {
    expect(parseCli([...deploy, '--repository', 'acme/orders']).repository).toBe('acme/orders');
  });

  it('refuses a value that is not owner/name, naming the flag and the form', () => {
    expect(() => parseCli([...deploy, '--repository', 'https://github.com/acme/orders'])).toThrow(
      new UsageError(
        '--repository: "https://github.com/acme/orders" is not a GitHub repository; expected owner/name (owner: ' +
          "letters, digits and hyphens; name: at most 100 letters, digits, '.', '-' and '_'), e.g. acme/orders",
      ),
    );
  });

  it('wins over the origin remote', () => {
    expect(resolveRepository('acme/orders', workingTree('git@github.com:other/repo.git'))).toBe('acme/orders');
  });

  it("defaults to the working tree's origin remote", () => {
    expect(resolveRepository(undefined, workingTree('https://github.com/acme/shop.git'))).toBe('acme/shop');
  });

  it("defaults to a GitHub Enterprise Server origin on GITHUB_SERVER_URL's host", () => {
    const tree = workingTree('git@ghe.example.com:platform/payments.git');
    expect(resolveRepository(undefined, tree, 'https://ghe.example.com/')).toBe('platform/payments');
  });

  it('refuses a working tree without an origin remote, naming the flag and the form', () => {
    const tree = workingTree();
    expect(() => resolveRepository(undefined, tree)).toThrow(
      new UsageError(
        `--repository: ${tree} has no origin remote; pass the GitHub repository the deploy tags are read from as ` +
          "--repository owner/name (owner: letters, digits and hyphens; name: at most 100 letters, digits, '.', " +
          "'-' and '_'), e.g. acme/orders",
      ),
    );
  });

  it('refuses an origin remote elsewhere than GitHub, printing it without its token', () => {
    const tree = workingTree('https://deploy:glpat-secret@gitlab.com/acme/orders.git');
    let message = '';
    try {
      resolveRepository(undefined, tree);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      '--repository: the origin remote https://gitlab.com/acme/orders.git is not a repository on github.com ' +
        '(set GITHUB_SERVER_URL for GitHub Enterprise Server); pass the GitHub repository',
    );
    expect(message).not.toContain('glpat-secret');
  });

  it('makes the command exit 2 with the usage, before reading any variables or calling AWS', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    const logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main([...deploy, '--variables', 'missing.yml'], workingTree())).toBe(2);
    } finally {
      spy.mockRestore();
      logs.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/^ecs-actions: --repository: .* has no origin remote; .*\n\nUsage:/);
  });
});
