import { describe, expect, it } from '@jest/globals';
import { isUserError } from '@ecs-actions/action-kit';
import { containersForSingleDigest, findDigestMismatches } from '../src/digests.js';
import { LOG_ROUTER_DIGEST, LOG_ROUTER_IMAGE, NEW_DIGEST, OLD_DIGEST, WEB_REPOSITORY } from './fixtures.js';

const web = { name: 'web', image: `${WEB_REPOSITORY}:main`, imageDigest: NEW_DIGEST };
const worker = { name: 'worker', image: `${WEB_REPOSITORY}@${NEW_DIGEST}`, imageDigest: NEW_DIGEST };
const logRouter = { name: 'log_router', image: LOG_ROUTER_IMAGE, imageDigest: LOG_ROUTER_DIGEST };

describe('containersForSingleDigest', () => {
  it('applies to the load-balanced container and others built from the same repository, not to sidecars', () => {
    expect(containersForSingleDigest([web, logRouter, worker], ['web'])).toEqual(['web', 'worker']);
  });

  it('applies to the only container when the load-balanced one is unknown', () => {
    expect(containersForSingleDigest([web], [])).toEqual(['web']);
  });

  it('refuses to guess among several containers without a service', () => {
    let failure: unknown;
    try {
      containersForSingleDigest([web, logRouter], []);
    } catch (error) {
      failure = error;
    }
    expect(isUserError(failure)).toBe(true);
    expect((failure as Error).message).toBe(
      "Input 'expected-digests': a single digest cannot tell which of the task's containers (web, log_router) serves " +
        'the target groups without a service; set service, or name the containers: container=sha256:<64 hex> lines',
    );
  });
});

describe('findDigestMismatches', () => {
  it('reports the container, expected and actual digest', () => {
    expect(
      findDigestMismatches([{ ...web, imageDigest: OLD_DIGEST }], { kind: 'single', digest: NEW_DIGEST }, ['web']),
    ).toEqual([
      {
        container: 'web',
        expected: NEW_DIGEST,
        actual: OLD_DIGEST,
        problem: `container web runs ${OLD_DIGEST}, expected ${NEW_DIGEST}`,
      },
    ]);
  });

  it('reports a container that has not pulled its image yet', () => {
    const pulling = { name: 'web', image: web.image };
    expect(findDigestMismatches([pulling], { kind: 'single', digest: NEW_DIGEST }, ['web'])[0]?.problem).toBe(
      'container web has not reported a digest yet',
    );
  });

  it('reports a named container the task does not have', () => {
    const expected = { kind: 'per-container' as const, digests: new Map([['api', NEW_DIGEST]]) };
    expect(findDigestMismatches([web, logRouter], expected, ['web'])[0]?.problem).toBe(
      'has no container "api" (it has web, log_router)',
    );
  });

  it('finds nothing when every checked container matches', () => {
    expect(findDigestMismatches([web, logRouter, worker], { kind: 'single', digest: NEW_DIGEST }, ['web'])).toEqual([]);
  });
});
