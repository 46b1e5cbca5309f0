import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { FakeClock } from '@ecs-actions/action-kit';
import {
  buildxArguments,
  chooseCache,
  describeRevision,
  explainBuildFailure,
  type BuildRequest,
} from '../src/build.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const REF = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:0123456';

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: '.',
    platforms: [],
    references: [REF],
    labels: new Map(),
    buildArgs: new Map(),
    revision: { sha: SHA, created: '2026-01-01T00:00:00Z', source: 'https://github.com/acme/web' },
    push: true,
    provenance: false,
    sbom: false,
    metadataFile: '/tmp/x/metadata.json',
    ...overrides,
  };
}

describe('buildxArguments', () => {
  it('lets a label or build argument given by the user replace the automatic one in place', () => {
    const args = buildxArguments(
      request({
        labels: new Map([['org.opencontainers.image.source', 'https://github.com/acme/mono/tree/main/web']]),
        buildArgs: new Map([['BUILD_TIME', 'fixed']]),
      }),
    );
    expect(args.filter((_, index) => ['--label', '--build-arg'].includes(args[index - 1]!))).toEqual([
      `org.opencontainers.image.revision=${SHA}`,
      'org.opencontainers.image.created=2026-01-01T00:00:00Z',
      'org.opencontainers.image.source=https://github.com/acme/mono/tree/main/web',
      `GIT_SHA=${SHA}`,
      'BUILD_TIME=fixed',
    ]);
  });

  it('turns provenance and sbom on when asked', () => {
    expect(buildxArguments(request({ provenance: true, sbom: true })).slice(-3)).toEqual([
      '--provenance=true',
      '--sbom=true',
      '.',
    ]);
  });

  it('passes network to buildx for the RUN steps, and nothing when unset', () => {
    const args = buildxArguments(request({ network: 'host' }));
    expect(args[args.indexOf('--network') + 1]).toBe('host');
    expect(buildxArguments(request())).not.toContain('--network');
  });

  it('omits the source label when the repository is unknown', () => {
    const args = buildxArguments(request({ revision: { sha: SHA, created: '2026-01-01T00:00:00Z' } }));
    expect(args.join(' ')).not.toContain('org.opencontainers.image.source');
  });
});

describe('describeRevision', () => {
  it('takes the commit and repository from the runner and the time from the clock, to the second', () => {
    const env = { GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/web', GITHUB_SERVER_URL: 'https://ghe.example.com/' };
    expect(describeRevision(env, new FakeClock(Date.UTC(2026, 4, 2, 3, 4, 5, 678)))).toEqual({
      sha: SHA,
      created: '2026-05-02T03:04:05Z',
      source: 'https://ghe.example.com/acme/web',
    });
  });

  it('fails outside a workflow, where GITHUB_SHA is missing', () => {
    expect(() => describeRevision({}, new FakeClock())).toThrow(/^GITHUB_SHA does not hold a commit SHA/);
  });
});

describe('chooseCache', () => {
  const runner = { ACTIONS_RUNTIME_TOKEN: 'token', ACTIONS_RESULTS_URL: 'https://results.example/' };
  let info: string[];
  beforeEach(() => {
    info = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (info.push(String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('caches on a runner with a builder that can export a cache', () => {
    expect(chooseCache('auto', runner, { version: 'v0.19.3', driver: 'docker-container' }, 'team/web')).toBe(
      'team/web',
    );
  });

  it('leaves the cache off with the docker driver and says how to turn it on', () => {
    expect(chooseCache('auto', runner, { version: 'v0.19.3', driver: 'docker' }, 'team/web')).toBeUndefined();
    expect(info.join('')).toContain('Add docker/setup-buildx-action before this step');
  });

  it('leaves the cache off outside a runner', () => {
    expect(chooseCache('auto', {}, { version: 'v0.19.3', driver: 'docker-container' }, 'team/web')).toBeUndefined();
  });

  it('never caches with none', () => {
    expect(chooseCache('none', runner, { version: 'v0.19.3', driver: 'docker-container' }, 'team/web')).toBe(undefined);
  });

  it('rejects gha where the runner gives no cache token', () => {
    expect(() => chooseCache('gha', {}, { version: 'v0.19.3', driver: 'docker-container' }, 'team/web')).toThrow(
      "Input 'cache': gha needs ACTIONS_RUNTIME_TOKEN",
    );
  });
});

describe('explainBuildFailure', () => {
  const fail = (stderr: string) => explainBuildFailure({ exitCode: 1, stdout: '', stderr }, { references: [REF] });

  it('explains a push refused with 403 Forbidden as a permission problem', () => {
    expect(
      fail(
        'ERROR: failed to solve: failed to push x: unexpected status from POST request to https://r/v2/web/blobs/uploads/: 403 Forbidden',
      ).message,
    ).toMatch(
      /^ECR denied the push to 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/team\/web\. The role needs ecr:BatchCheckLayerAvailability, .* Docker said: ERROR: failed to solve: .*403 Forbidden$/,
    );
  });

  it('explains a tag that an immutable repository already holds', () => {
    expect(
      fail(
        "ERROR: failed to solve: failed to push x: tag invalid: The image tag '0123456' already exists in the 'team/web' repository and cannot be overwritten because the repository is immutable.",
      ).message,
    ).toMatch(/^ECR refused a tag for .*team\/web: the tag already exists and the repository's tags are immutable/);
  });

  it('explains a builder that refuses host networking', () => {
    expect(
      fail('ERROR: failed to solve: granting entitlement network.host is not allowed by build daemon configuration')
        .message,
    ).toMatch(/^The buildx builder refused network: host .*--allow-insecure-entitlement network\.host/);
  });

  it('explains an engine without a bridge network and names the network input', () => {
    expect(
      fail(
        'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: network bridge not found',
      ).message,
    ).toMatch(/^The Docker engine has no bridge network for the build's RUN steps; set network: host/);
  });

  it('explains what the docker driver cannot do', () => {
    expect(fail('ERROR: failed to build: Cache export is not supported for the docker driver.').message).toMatch(
      /^The current buildx builder uses the docker driver.*Add docker\/setup-buildx-action/,
    );
  });

  it('quotes the last ERROR line of a failing Dockerfile step and does not blame permissions', () => {
    const error = fail(
      '#9 0.512 sh: npm: Permission denied\n#9 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 126\n' +
        'ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 126\n',
    );
    expect(error.message).toBe(
      'docker buildx build failed (exit 1): ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete ' +
        'successfully: exit code: 126. The failing step is in the build log above.',
    );
  });
});
