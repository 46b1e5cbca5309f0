import { DIGEST_PATTERN, inputError, parseImageReference, parseKeyValues, UserError } from '@ecs-actions/action-kit';

/**
 * What the tasks must run. A single digest is the image this pipeline built: it applies to the containers
 * behind the target groups and to any other container of the task built from the same repository.
 * Per-container lines check exactly the containers they name.
 */
export type ExpectedDigests =
  { kind: 'single'; digest: string } | { kind: 'per-container'; digests: Map<string, string> };

const FORM = 'sha256:<64 hex>, or lines of container=sha256:<64 hex>';
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Parses the `expected-digests` input: one `sha256:...` line, or `container=sha256:...` lines. */
export function parseExpectedDigests(name: string, text: string): ExpectedDigests | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) return undefined;
  if (lines.length === 1 && !lines[0]!.includes('=')) {
    const digest = lines[0]!;
    if (!DIGEST_PATTERN.test(digest)) throw inputError(name, `"${digest}" is not an image digest; expected ${FORM}`);
    return { kind: 'single', digest };
  }
  const digests = parseKeyValues(name, text, {
    keyName: 'container',
    valueName: 'sha256:<64 hex>',
    keyPattern: CONTAINER_NAME,
    keyPatternDescription: 'is not a container name (letters, digits, - and _)',
  });
  for (const [container, digest] of digests) {
    if (!DIGEST_PATTERN.test(digest)) {
      throw inputError(name, `container "${container}": "${digest}" is not an image digest; expected ${FORM}`);
    }
  }
  return { kind: 'per-container', digests };
}

export interface TaskContainer {
  name: string;
  /** The image reference from the task definition, e.g. `123.dkr.ecr.eu-west-1.amazonaws.com/web:1.4`. */
  image?: string;
  /** The digest the container actually pulled; ECS reports it once the image is pulled. */
  imageDigest?: string;
}

export interface DigestMismatch {
  container: string;
  expected: string;
  /** undefined when the container is missing or has not reported a digest yet. */
  actual?: string;
  problem: string;
}

function repositoryOf(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const parsed = parseImageReference(image);
  return parsed ? `${parsed.registry ?? 'docker.io'}/${parsed.repository}` : undefined;
}

/**
 * The containers a single digest applies to: those behind the target groups, plus those built from the same
 * repository (the same image run with another command). Sidecars from other repositories are not checked.
 * Without a service the containers behind the target groups are unknown; a one-container task is unambiguous.
 */
export function containersForSingleDigest(containers: TaskContainer[], loadBalanced: string[]): string[] {
  if (loadBalanced.length === 0) {
    if (containers.length === 1) return [containers[0]!.name];
    throw new UserError(
      `Input 'expected-digests': a single digest cannot tell which of the task's containers ` +
        `(${containers.map((container) => container.name).join(', ')}) serves the target groups without a service; ` +
        `set service, or name the containers: container=sha256:<64 hex> lines`,
    );
  }
  const repositories = new Set(
    containers
      .filter((container) => loadBalanced.includes(container.name))
      .map((container) => repositoryOf(container.image))
      .filter((repository) => repository !== undefined),
  );
  const sameRepository = containers
    .filter((container) => repositories.has(repositoryOf(container.image) ?? ''))
    .map((container) => container.name);
  return [...new Set([...loadBalanced, ...sameRepository])];
}

/** Every container of one task whose digest differs from the expected one. */
export function findDigestMismatches(
  containers: TaskContainer[],
  expected: ExpectedDigests,
  loadBalanced: string[],
): DigestMismatch[] {
  const wanted: Array<[string, string]> =
    expected.kind === 'single'
      ? containersForSingleDigest(containers, loadBalanced).map((name) => [name, expected.digest])
      : [...expected.digests];
  const mismatches: DigestMismatch[] = [];
  for (const [name, digest] of wanted) {
    const container = containers.find((candidate) => candidate.name === name);
    if (container === undefined) {
      const names = containers.map((candidate) => candidate.name).join(', ');
      mismatches.push({ container: name, expected: digest, problem: `has no container "${name}" (it has ${names})` });
    } else if (container.imageDigest === undefined) {
      mismatches.push({
        container: name,
        expected: digest,
        problem: `container ${name} has not reported a digest yet`,
      });
    } else if (container.imageDigest !== digest) {
      mismatches.push({
        container: name,
        expected: digest,
        actual: container.imageDigest,
        problem: `container ${name} runs ${container.imageDigest}, expected ${digest}`,
      });
    }
  }
  return mismatches;
}
