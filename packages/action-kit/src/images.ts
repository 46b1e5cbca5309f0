export interface ImageReference {
  /** Registry host, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`; undefined for Docker Hub short names. */
  registry?: string;
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** Parses `[registry/]repository[:tag][@sha256:digest]`; returns undefined when it is not an image reference. */
export function parseImageReference(reference: string): ImageReference | undefined {
  const match =
    /^(?:(?<registry>[a-zA-Z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[a-z0-9]+:[a-zA-Z0-9]+))?$/.exec(
      reference,
    );
  if (!match?.groups) return undefined;
  let { registry, repository } = match.groups as { registry?: string; repository: string };
  // A first component without a dot, colon or "localhost" is part of the repository (docker.io/library style).
  if (registry && !/[.:]/.test(registry) && registry !== 'localhost') {
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  return { registry, repository, tag: match.groups.tag, digest: match.groups.digest };
}

/** True when the reference pins an immutable image: `<repository>@sha256:<64 hex>` (a tag before `@` is allowed). */
export function isDigestPinned(reference: string): boolean {
  const parsed = parseImageReference(reference);
  return parsed?.digest !== undefined && DIGEST_PATTERN.test(parsed.digest);
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
