/** The OCI registry the Docker suites push to (ci-docker.sh starts it on 127.0.0.1). */
export function registryAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env.ECS_ACTIONS_REGISTRY || '127.0.0.1:5000';
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The registry's own answer for a tag: the Docker-Content-Digest header of its manifest. */
export async function registryManifestDigest(registry: string, repository: string, tag: string): Promise<string> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
  });
  const digest = response.headers.get('docker-content-digest');
  if (!response.ok || !digest) {
    throw new Error(`registry ${registry} has no manifest for ${repository}:${tag} (HTTP ${response.status})`);
  }
  return digest;
}
