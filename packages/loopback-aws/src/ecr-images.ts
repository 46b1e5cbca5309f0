import type { ImageIdentifier } from '@aws-sdk/client-ecr';
import { AwsError } from './errors.js';
import type { ImageRecord, RepositoryRecord } from './world.js';

/**
 * Where ECR's images live, chosen once at start-up: in memory (made-up manifests, the default) or in a real OCI
 * registry (the images docker buildx pushed). Repositories, their settings and lifecycle policies stay in the world
 * either way; only the images come from here.
 */
export interface EcrImageStore {
  readonly kind: 'memory' | 'registry';
  /** What repository URIs start with: `<account>.dkr.ecr.<region>.amazonaws.com`, or the registry's `host:port`. */
  readonly registryHost: string;
  /** GetAuthorizationToken's proxyEndpoint. */
  readonly proxyEndpoint: string;
  /** Every image of the repository (a registry lists tagged images only: its API has no listing of untagged ones). */
  list(repository: RepositoryRecord): Promise<ImageRecord[]>;
  /** The image a digest and/or tag names. */
  find(repository: RepositoryRecord, id: ImageIdentifier): Promise<ImageRecord | undefined>;
}

function matches(image: ImageRecord, id: ImageIdentifier): boolean {
  return (
    (id.imageDigest === undefined || image.digest === id.imageDigest) &&
    (id.imageTag === undefined || image.tags.includes(id.imageTag)) &&
    (id.imageDigest !== undefined || id.imageTag !== undefined)
  );
}

/** The images seedImage put into the world. */
export function memoryImageStore(registryHost: string): EcrImageStore {
  return {
    kind: 'memory',
    registryHost,
    proxyEndpoint: `https://${registryHost}`,
    list: (repository) => Promise.resolve(repository.images),
    find: (repository, id) => Promise.resolve(repository.images.find((image) => matches(image, id))),
  };
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Manifest {
  mediaType?: string;
  config?: { size?: number };
  layers?: Array<{ size?: number }>;
  manifests?: Array<{ digest?: string }>;
}

interface FetchedManifest {
  digest: string;
  text: string;
  mediaType: string;
  sizeInBytes: number;
}

export interface RegistryImageStoreOptions {
  /** `host:port` of a registry speaking the HTTP API v2 in plain HTTP (one on 127.0.0.0/8 needs no TLS). */
  registry: string;
  now: () => number;
  /** Per request to the registry; 10 s unless set. */
  timeoutMs?: number;
}

/**
 * ECR backed by a real registry: DescribeImages and BatchGetImage read its API v2, and imageDigest is the
 * Docker-Content-Digest the registry answers for the manifest. The registry keeps no push time, so imagePushedAt
 * is when the loopback first saw the digest. What it read is also kept in `repository.images`, so that tags
 * resolve for the simulated ECS without a request.
 */
export function registryImageStore(options: RegistryImageStoreOptions): EcrImageStore {
  const base = `http://${options.registry}/v2`;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function get(path: string): Promise<Response | undefined> {
    let response: Response;
    try {
      response = await fetch(`${base}/${path}`, {
        headers: { accept: MANIFEST_ACCEPT },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AwsError(
        'ServerException',
        `The registry behind the loopback ECR (${options.registry}) did not answer: ${(error as Error).message}`,
        500,
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      throw new AwsError(
        'ServerException',
        `The registry behind the loopback ECR (${options.registry}) answered GET /v2/${path} with HTTP ${response.status}`,
        500,
      );
    }
    return response;
  }

  async function manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const response = await get(`${repository}/manifests/${reference}`);
    if (!response) return undefined;
    const text = await response.text();
    const digest = response.headers.get('docker-content-digest');
    if (!digest) {
      throw new AwsError(
        'ServerException',
        `The registry sent no Docker-Content-Digest for ${repository}:${reference}`,
        500,
      );
    }
    const parsed = JSON.parse(text) as Manifest;
    const mediaType = response.headers.get('content-type')?.split(';')[0] ?? parsed.mediaType ?? '';
    return { digest, text, mediaType, sizeInBytes: await sizeOf(repository, parsed) };
  }

  // ECR's imageSizeInBytes is the sum of the compressed layers; an index counts the images it lists.
  async function sizeOf(repository: string, parsed: Manifest): Promise<number> {
    if (parsed.layers) return parsed.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    let total = 0;
    for (const child of parsed.manifests ?? []) {
      if (child.digest) total += (await manifest(repository, child.digest))?.sizeInBytes ?? 0;
    }
    return total;
  }

  function remember(repository: RepositoryRecord, fetched: FetchedManifest, tags: string[]): ImageRecord {
    let image = repository.images.find((entry) => entry.digest === fetched.digest);
    if (!image) {
      image = {
        digest: fetched.digest,
        tags: [],
        manifest: fetched.text,
        mediaType: fetched.mediaType,
        sizeInBytes: fetched.sizeInBytes,
        pushedAt: options.now(),
      };
      repository.images.push(image);
    }
    image.tags = tags;
    return image;
  }

  async function list(repository: RepositoryRecord): Promise<ImageRecord[]> {
    const response = await get(`${repository.name}/tags/list`);
    const tags = response ? (((await response.json()) as { tags?: string[] | null }).tags ?? []) : [];
    const byDigest = new Map<string, { fetched: FetchedManifest; tags: string[] }>();
    for (const tag of [...tags].sort()) {
      const fetched = await manifest(repository.name, tag);
      if (!fetched) continue;
      const entry = byDigest.get(fetched.digest) ?? { fetched, tags: [] };
      entry.tags.push(tag);
      byDigest.set(fetched.digest, entry);
    }
    // A tag that moved away leaves its old image untagged, as in ECR.
    for (const image of repository.images) if (!byDigest.has(image.digest)) image.tags = [];
    return [...byDigest.values()].map(({ fetched, tags: imageTags }) => remember(repository, fetched, imageTags));
  }

  return {
    kind: 'registry',
    registryHost: options.registry,
    proxyEndpoint: `http://${options.registry}`,
    list,
    async find(repository, id) {
      const tagged = (await list(repository)).find((image) => matches(image, id));
      if (tagged || id.imageDigest === undefined || id.imageTag !== undefined) return tagged;
      const fetched = await manifest(repository.name, id.imageDigest);
      return fetched ? remember(repository, fetched, []) : undefined;
    },
  };
}
