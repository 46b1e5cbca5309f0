import { describe, expect, it } from '@jest/globals';
import { ClusterNotFoundException } from '@aws-sdk/client-ecs';
import { isAwsError } from '../src/index.js';

describe('isAwsError', () => {
  const notFound = new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} });

  it('matches an SDK exception by its error code', () => {
    expect(isAwsError(notFound, 'ClusterNotFoundException')).toBe(true);
  });

  it('matches any of several codes', () => {
    expect(isAwsError(notFound, 'ClientException', 'ClusterNotFoundException')).toBe(true);
  });

  it('is false for another code, a plain error and a thrown non-error', () => {
    expect(isAwsError(notFound, 'ClientException')).toBe(false);
    expect(isAwsError(new Error('boom'), 'ClusterNotFoundException')).toBe(false);
    expect(isAwsError('ClusterNotFoundException', 'ClusterNotFoundException')).toBe(false);
    expect(isAwsError(null, 'ClusterNotFoundException')).toBe(false);
  });
});
