import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { readInputs } from '../src/inputs.js';
import { COMMIT, Sandbox } from './harness.js';

let sandbox: Sandbox;

beforeEach(() => {
  sandbox = new Sandbox();
  sandbox.inputs({ repository: 'team/web' });
});

afterEach(() => sandbox.restore());

describe('readInputs', () => {
  it.each(['host', 'none', 'default', 'build_net.1'])('takes network %s for the RUN steps', (network) => {
    sandbox.inputs({ network });
    expect(readInputs().network).toBe(network);
  });

  it('defaults to the short commit SHA as the only tag, push on, automatic cache, no attestations', () => {
    expect(readInputs()).toEqual({
      repository: 'team/web',
      context: '.',
      dockerfile: undefined,
      tags: [COMMIT.slice(0, 7)],
      'build-args': new Map(),
      platforms: [],
      target: undefined,
      labels: new Map(),
      network: undefined,
      push: true,
      cache: 'auto',
      provenance: false,
      sbom: false,
      'create-repository': false,
      'keep-images': 30,
      region: undefined,
    });
  });

  it('reads tags, platforms, multiline build arguments and labels keeping = in values', () => {
    mkdirSync('app');
    sandbox.inputs({
      context: 'app',
      tags: 'v1.2.3, latest\nv1.2.3',
      platforms: 'linux/amd64\nlinux/arm64/v8',
      'build-args': 'NODE_ENV=production\n# comment\nFLAGS=--a=b',
      labels: 'team=payments',
      cache: 'NONE',
    });
    expect(readInputs()).toMatchObject({
      context: 'app',
      tags: ['v1.2.3', 'latest'],
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      'build-args': new Map([
        ['NODE_ENV', 'production'],
        ['FLAGS', '--a=b'],
      ]),
      labels: new Map([['team', 'payments']]),
      cache: 'none',
    });
  });

  it.each([
    ['repository', '', "Input 'repository': is required but was not set"],
    [
      'repository',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web',
      `Input 'repository': "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web" is a repository URI or image reference; expected only the ECR repository name, such as team/web`,
    ],
    [
      'repository',
      'Team/Web',
      `Input 'repository': "Team/Web" is not an ECR repository name; expected 2 to 256 lowercase letters, digits and . _ - /, such as team/web`,
    ],
    [
      'context',
      'missing-dir',
      `Input 'context': directory "missing-dir" does not exist; expected the build context folder (such as .), a git URL over https or ssh (https://github.com/org/repo.git#main, git@github.com:org/repo.git)`,
    ],
    [
      'context',
      'ftp://example.com/ctx.tar',
      /^Input 'context': "ftp:\/\/example\.com\/ctx\.tar" is not a git URL over https or ssh; expected the build context folder/,
    ],
    [
      'context',
      'http://github.com/org/repo.git',
      /^Input 'context': "http:\/\/github\.com\/org\/repo\.git" is not a git URL over https or ssh/,
    ],
    [
      'context',
      'https://x-token:ghp_secret@github.com/org/repo.git',
      /^Input 'context': holds a user name or password before the host \(user:password@\)/,
    ],
    ['context', '-', /^Input 'context': "-" \(standard input\) is not available to an action step/],
    [
      'dockerfile',
      'web/Dockerfile',
      `Input 'dockerfile': file "web/Dockerfile" does not exist; expected a path from the workspace root, such as services/web/Dockerfile`,
    ],
    [
      'platforms',
      'amd64',
      `Input 'platforms': "amd64" is not a platform; expected os/arch such as linux/amd64 or linux/arm64`,
    ],
    [
      'target',
      'build stage',
      `Input 'target': "build stage" is not a build stage name; expected the name after AS in the Dockerfile`,
    ],
    [
      'network',
      'host --privileged',
      `Input 'network': "host --privileged" is not a network mode; expected default, none, host or a Docker network name (letters, digits, _ . -)`,
    ],
    ['build-args', 'NODE_ENV', `Input 'build-args': line 1 "NODE_ENV" has no "="; expected NAME=VALUE`],
    ['cache', 's3', `Input 'cache': "s3" is not allowed; expected one of auto, gha, none`],
    ['push', 'maybe', `Input 'push': "maybe" is not a boolean; expected true or false`],
    ['keep-images', '0', `Input 'keep-images': 0 is out of range; expected a whole number from 1 to 10000`],
  ])('rejects %s = %j naming the input and the expected form', (name, value, message) => {
    sandbox.inputs({ [name]: value });
    expect(() => readInputs()).toThrow(message);
  });

  it('asks for tags when there is no commit SHA to default to', () => {
    delete process.env.GITHUB_SHA;
    expect(() => readInputs()).toThrow(
      "Input 'tags': is empty and GITHUB_SHA does not hold a commit SHA to derive the default tag from; set tags, such as v1.2.3",
    );
  });
});
