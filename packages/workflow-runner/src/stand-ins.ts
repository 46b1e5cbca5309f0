import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ActionStandIn, VariableStore } from './types.js';

export interface LocalStandInOptions {
  /** The working tree actions/checkout stands for. */
  workingTree: string;
  /** Other repositories' working trees, by owner/name; any repository not listed is `workingTree`. */
  repositories?: Record<string, string>;
  /**
   * Working trees by the checkout's `path:`, over `repositories`: rollback.yml checks ecs-actions out as
   * `${{ github.repository }}`, the service's own name, into .ecs-actions.
   */
  paths?: Record<string, string>;
  /**
   * What configure-aws-credentials exports instead of assuming the role: e.g. the loopback AWS's endpoint and
   * credentials. Unset: nothing, so the steps use the local credential chain (AWS_PROFILE, ~/.aws, SSO...).
   */
  aws?: { description: string; env: Record<string, string> };
}

/** Links `source`'s entries into `target` (an existing checkout's files are left as they are). */
function linkTree(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source)) {
    const link = join(target, entry);
    if (!existsSync(link)) symlinkSync(join(source, entry), link);
  }
}

/** Stand-ins for the third-party actions this project's workflows use, each on what this machine has. */
export function localStandIns(options: LocalStandInOptions): Record<string, ActionStandIn> {
  return {
    'actions/checkout': {
      description: 'the local working tree (linked, as it is, uncommitted changes included), not a clone',
      run: ({ inputs, repository, workspace, log }) => {
        const wanted = inputs.repository || repository;
        const path = inputs.path ?? '';
        const tree = options.paths?.[path] ?? options.repositories?.[wanted] ?? options.workingTree;
        const target = resolve(workspace, path);
        if (path === '') linkTree(tree, target);
        else {
          mkdirSync(dirname(target), { recursive: true });
          symlinkSync(tree, target);
        }
        log(`${wanted}${inputs.ref ? `@${inputs.ref}` : ''} -> ${tree} at ${path || '.'}`);
      },
    },
    'aws-actions/configure-aws-credentials': {
      description: options.aws
        ? options.aws.description
        : 'the local AWS credential chain (AWS_PROFILE, ~/.aws, SSO); no role is assumed',
      run: ({ inputs, log, exportVariable }) => {
        const region = inputs['aws-region'];
        if (!region) throw new Error("Input 'aws-region' is required (configure-aws-credentials)");
        exportVariable('AWS_REGION', region);
        exportVariable('AWS_DEFAULT_REGION', region);
        for (const [name, value] of Object.entries(options.aws?.env ?? {})) exportVariable(name, value);
        if (inputs['role-to-assume']) log(`role-to-assume ${inputs['role-to-assume']} is not assumed locally`);
        log(`AWS_REGION=${region}`);
      },
    },
    'docker/setup-buildx-action': {
      description: "the local docker buildx (checked with 'docker buildx version')",
      run: ({ log }) => {
        try {
          log(
            execFileSync('docker', ['buildx', 'version'], {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'pipe'],
            }).trim(),
          );
        } catch (error) {
          throw new Error(
            `docker buildx is not available on this machine: ${(error as Error).message.split('\n')[0]}`,
            {
              cause: error,
            },
          );
        }
      },
    },
    'actions/setup-node': {
      description: `the local node ${process.version} (its major version must match node-version)`,
      run: ({ inputs, workspace, log }) => {
        const wanted = inputs['node-version-file']
          ? readFileSync(resolve(workspace, inputs['node-version-file']), 'utf8').trim()
          : (inputs['node-version'] ?? '');
        const major = /^v?(\d+)/.exec(wanted)?.[1];
        if (major !== undefined && major !== process.versions.node.split('.')[0])
          throw new Error(`the workflow wants node ${wanted}; this machine runs ${process.version}`);
        log(`node ${process.version}`);
      },
    },
  };
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a mapping of NAME: value`);
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => {
      if (typeof item === 'object' && item !== null) throw new Error(`${where}.${name}: expected a string`);
      return [name, String(item)];
    }),
  );
}

/**
 * Reads vars and secrets from a local YAML or JSON file:
 * `vars: {NAME: value}`, `secrets: {NAME: value}`, `environments: {dev: {vars: {...}, secrets: {...}}}`.
 */
export function loadVariableStore(path: string): VariableStore {
  const document = parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
  if (document === null || typeof document !== 'object')
    throw new Error(`${path}: expected vars:, secrets:, environments:`);
  for (const key of Object.keys(document))
    if (!['vars', 'secrets', 'environments'].includes(key))
      throw new Error(`${path}: unknown key "${key}"; expected vars, secrets, environments`);
  const environments: VariableStore['environments'] = {};
  for (const [name, scoped] of Object.entries(
    (document.environments ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    environments[name] = {
      vars: stringMap(scoped?.vars, `${path}: environments.${name}.vars`),
      secrets: stringMap(scoped?.secrets, `${path}: environments.${name}.secrets`),
    };
  }
  return {
    vars: stringMap(document.vars, `${path}: vars`),
    secrets: stringMap(document.secrets, `${path}: secrets`),
    environments,
  };
}
