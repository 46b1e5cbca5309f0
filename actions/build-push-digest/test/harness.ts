import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const REPOSITORY = 'team/web';
export const REPOSITORY_URI = `${REGISTRY}/${REPOSITORY}`;
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
// A password with a shape of its own, so that any leak of it is easy to find.
export const PASSWORD = 'eyJwYXlsb2FkIjoiU0VDUkVULUVDUi1QQVNTV09SRCJ9.fake-ecr-password-7c1e';
export const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64');

const ECR_ENDPOINT = `https://api.ecr.${REGION}.amazonaws.com`;

/** Expects one ECR JSON-protocol call with exactly this request body, and answers it. */
export function ecr(
  operation: string,
  requestBody: object,
  status: number,
  responseBody: object,
  times = 1,
): nock.Scope {
  return nock(ECR_ENDPOINT)
    .post('/', requestBody as nock.RequestBodyMatcher)
    .matchHeader('x-amz-target', `AmazonEC2ContainerRegistry_V20150921.${operation}`)
    .times(times)
    .reply(status, responseBody, { 'content-type': 'application/x-amz-json-1.1' });
}

export function ecrError(operation: string, requestBody: object, type: string, message: string, times = 1): nock.Scope {
  return ecr(operation, requestBody, 400, { __type: type, message }, times);
}

export function authorizationToken(): nock.Scope {
  return ecr('GetAuthorizationToken', {}, 200, {
    authorizationData: [{ authorizationToken: TOKEN, expiresAt: 1767268800, proxyEndpoint: `https://${REGISTRY}` }],
  });
}

export function repositoryFound(mutability = 'IMMUTABLE'): nock.Scope {
  return ecr('DescribeRepositories', { repositoryNames: [REPOSITORY] }, 200, {
    repositories: [
      {
        repositoryName: REPOSITORY,
        repositoryUri: REPOSITORY_URI,
        registryId: ACCOUNT,
        imageTagMutability: mutability,
      },
    ],
  });
}

export function tagAbsent(tag: string): nock.Scope {
  return ecrError(
    'DescribeImages',
    { repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }] },
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository`,
  );
}

export function imageFound(digest: string, tags: string[], sizeInBytes = 48_234_496): nock.Scope {
  return ecr('DescribeImages', { repositoryName: REPOSITORY, imageIds: [{ imageDigest: digest }] }, 200, {
    imageDetails: [
      {
        registryId: ACCOUNT,
        repositoryName: REPOSITORY,
        imageDigest: digest,
        imageTags: tags,
        imageSizeInBytes: sizeInBytes,
        imagePushedAt: 1767225605,
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
    ],
  });
}

/** A scratch environment: credentials, runner variables, a user Docker config, output files. */
export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'build-push-digest-test-'));
  readonly runnerTemp = join(this.root, 'runner-temp');
  readonly userDockerConfig = join(this.root, 'user-docker');
  readonly workspace = join(this.root, 'workspace');
  readonly outputFile = join(this.root, 'output');
  // @actions/core remembers the first GITHUB_STEP_SUMMARY it writes to, so every test of a file shares one path.
  readonly summaryFile = join(tmpdir(), `build-push-digest-summary-${process.pid}.md`);
  private readonly savedEnv = { ...process.env };
  private readonly savedCwd = process.cwd();
  stdout = '';
  stderr = '';

  constructor() {
    for (const dir of [this.runnerTemp, this.userDockerConfig, this.workspace]) mkdirSync(dir);
    writeFileSync(join(this.workspace, 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(this.outputFile, '');
    writeFileSync(this.summaryFile, '');
    for (const key of Object.keys(process.env)) {
      if (/^(INPUT_|GITHUB_|ACTIONS_|AWS_|RUNNER_|FAKE_DOCKER_)/.test(key) || key === 'DOCKER_CONFIG') {
        delete process.env[key];
      }
    }
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: REGION,
      GITHUB_SHA: COMMIT,
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: this.runnerTemp,
      DOCKER_CONFIG: this.userDockerConfig,
      GITHUB_OUTPUT: this.outputFile,
      GITHUB_STEP_SUMMARY: this.summaryFile,
      FAKE_DOCKER_DIGEST: DIGEST,
    });
    process.chdir(this.workspace);
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((this.stdout += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((this.stderr += String(chunk)), true));
    process.exitCode = undefined;
  }

  inputs(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  }

  /** Outputs written to GITHUB_OUTPUT, by name. */
  outputs(): Record<string, string> {
    const text = readFileSync(this.outputFile, 'utf8');
    const outputs: Record<string, string> = {};
    for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm)) {
      outputs[match[1]!] = match[3]!;
    }
    return outputs;
  }

  summary(): string {
    return readFileSync(this.summaryFile, 'utf8');
  }

  /** Every line the step printed, stdout and stderr. */
  logLines(): string[] {
    return `${this.stdout}\n${this.stderr}`.split('\n');
  }

  restore(): void {
    jest.restoreAllMocks();
    process.chdir(this.savedCwd);
    process.env = { ...this.savedEnv };
    process.exitCode = undefined;
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.summaryFile, { force: true });
  }
}
