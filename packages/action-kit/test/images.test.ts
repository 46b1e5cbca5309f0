import { describe, expect, it } from '@jest/globals';
import { isDigestPinned, parseImageReference, shortDigest } from '../src/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it('reads an ECR reference with tag and digest', () => {
    expect(parseImageReference(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web:1.2@${DIGEST}`)).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'team/web',
      tag: '1.2',
      digest: DIGEST,
    });
  });
  it('treats a first component without a dot as part of the repository', () => {
    expect(parseImageReference('library/nginx:1.27')).toEqual({
      repository: 'library/nginx',
      tag: '1.27',
      registry: undefined,
      digest: undefined,
    });
  });
  it('reads a registry with a port', () => {
    expect(parseImageReference('localhost:5000/web')?.registry).toBe('localhost:5000');
  });
  it('rejects text that is not an image reference', () => {
    expect(parseImageReference('not an image')).toBeUndefined();
  });
});

describe('isDigestPinned', () => {
  it('accepts repository@sha256 and a tag before the digest', () => {
    expect(isDigestPinned(`web@${DIGEST}`)).toBe(true);
    expect(isDigestPinned(`1.dkr.ecr.us-east-1.amazonaws.com/web:v1@${DIGEST}`)).toBe(true);
  });
  it('rejects a tag, a short digest and another algorithm', () => {
    expect(isDigestPinned('nginx:1.27')).toBe(false);
    expect(isDigestPinned('nginx@sha256:abc')).toBe(false);
    expect(isDigestPinned(`nginx@sha512:${'a'.repeat(64)}`)).toBe(false);
  });
  it('shortens a digest for display', () => {
    expect(shortDigest(DIGEST)).toBe('aaaaaaaaaaaa');
  });
});
