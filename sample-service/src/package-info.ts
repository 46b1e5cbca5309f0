import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

// Read at run time, next to dist/ in the image, so the version is the one that was built and shipped.
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

export const SERVICE_NAME = packageJson.name;
export const SERVICE_VERSION = packageJson.version;
