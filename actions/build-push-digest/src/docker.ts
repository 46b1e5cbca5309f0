import * as core from '@actions/core';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, abortReason, errorMessage, foreignLine, foreignStream } from '@ecs-actions/action-kit';

export interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface BuildxInfo {
  /** e.g. `v0.19.3` */
  version: string;
  /** The current builder's driver (`docker`, `docker-container`, ...), undefined when buildx did not say. */
  driver?: string;
}

/** buildx 0.10 added --provenance and --sbom, which every build passes. */
const MINIMUM_BUILDX = [0, 10] as const;

// Folders of the user's Docker config that must stay visible: a buildx installed as a user plugin,
// the builder selected by docker/setup-buildx-action, and Docker contexts.
const SHARED_CONFIG_FOLDERS = ['buildx', 'cli-plugins', 'contexts'];

type DockerConfigFile = Record<string, unknown> & {
  auths?: Record<string, { auth?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
};

/**
 * Runs the Docker CLI with a Docker config directory of its own, created for this step and removed by
 * `dispose()`: the ECR password written by `docker login` never outlives the step. The user's existing
 * registry logins are copied in (so private base images still pull) and their buildx builders, CLI plugins
 * and contexts stay visible through links.
 */
export class DockerSession {
  /** Cancel: a running docker (buildx) is sent SIGINT, which stops the build, and SIGKILL if it lingers. */
  signal: AbortSignal | undefined;

  private constructor(
    /** Removed by dispose(): the Docker config and the build metadata file live here. */
    readonly workDir: string,
    readonly configDir: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  static async create(env: NodeJS.ProcessEnv = process.env): Promise<DockerSession> {
    const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'build-push-digest-'));
    try {
      const configDir = join(workDir, 'docker-config');
      await mkdir(configDir, { mode: 0o700 });
      await inheritDockerConfig(env.DOCKER_CONFIG || join(homedir(), '.docker'), configDir);
      return new DockerSession(workDir, configDir, env);
    } catch (error) {
      await rm(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The environment of every docker call: DOCKER_CONFIG points at this step's directory, for buildx too. */
  env(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.baseEnv)) if (value !== undefined) env[key] = value;
    env.DOCKER_CONFIG = this.configDir;
    return env;
  }

  /** Runs `docker <args>`; a non-zero exit is returned, not thrown. Output is streamed to the log unless silent. */
  async run(args: string[], options: { input?: string; silent?: boolean } = {}): Promise<DockerResult> {
    const { signal } = this;
    if (signal?.aborted) throw abortReason(signal);
    const silent = options.silent ?? false;
    // The arguments hold tags, labels and build args the user wrote.
    if (!silent) process.stdout.write(`${foreignLine(`[command]docker ${args.join(' ')}`)}\n`);
    // What docker and the build print (a RUN step's echo included) is foreign: it cannot issue a command. Both
    // streams go to stdout, inside one pause, so the pause cannot end before a late stderr line.
    // Whole lines only, so that a line of one stream is never cut by a line of the other.
    const log = foreignStream();
    const partial = { stdout: '', stderr: '' };
    const forward = (stream: keyof typeof partial, chunk: string) => {
      const text = partial[stream] + chunk;
      const cut = text.lastIndexOf('\n') + 1;
      partial[stream] = text.slice(cut);
      if (!silent) log.write(text.slice(0, cut));
    };
    const endLog = () => {
      for (const rest of [partial.stdout, partial.stderr]) if (rest !== '' && !silent) log.write(`${rest}\n`);
      log.end();
    };
    return new Promise<DockerResult>((resolve, reject) => {
      const child = spawn('docker', args, { env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let killTimer: NodeJS.Timeout | undefined;
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        forward('stdout', chunk);
      });
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        forward('stderr', chunk);
      });
      const stop = () => {
        // buildx cancels the build on SIGINT, as on Ctrl-C; a child that lingers is killed.
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
        killTimer.unref();
      };
      signal?.addEventListener('abort', stop, { once: true });
      child.on('error', (error: NodeJS.ErrnoException) => {
        endLog();
        signal?.removeEventListener('abort', stop);
        if (error.code === 'ENOENT') {
          reject(
            new UserError(
              'The Docker CLI was not found on PATH. This action needs Docker with the buildx plugin: use a ' +
                'GitHub-hosted ubuntu runner, or install Docker on the self-hosted runner.',
              { cause: error },
            ),
          );
        } else reject(error);
      });
      child.on('close', (code) => {
        endLog();
        signal?.removeEventListener('abort', stop);
        clearTimeout(killTimer);
        if (signal?.aborted) reject(abortReason(signal));
        else resolve({ exitCode: code ?? 1, stdout, stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input === undefined ? undefined : Buffer.from(options.input));
    });
  }

  /** Fails with its own message when buildx is missing or too old; reports the current builder's driver. */
  async checkBuildx(): Promise<BuildxInfo> {
    const result = await this.run(['buildx', 'version'], { silent: true });
    if (result.exitCode !== 0) {
      throw new UserError(
        `Docker buildx is not available: \`docker buildx version\` failed (${firstLine(result) || `exit ${result.exitCode}`}). ` +
          'Add docker/setup-buildx-action before this step, or install the buildx plugin on the runner.',
      );
    }
    const match = /\bv?(\d+)\.(\d+)\.(\d+)\S*/.exec(result.stdout);
    const version = match ? `v${match[0].replace(/^v/, '')}` : 'unknown';
    if (match && compareVersion([Number(match[1]), Number(match[2])], MINIMUM_BUILDX) < 0) {
      throw new UserError(
        `Docker buildx ${version} is too old: this action needs ${MINIMUM_BUILDX.join('.')} or newer ` +
          '(for --provenance and --sbom). Add docker/setup-buildx-action before this step to install a current buildx.',
      );
    }
    const inspect = await this.run(['buildx', 'inspect'], { silent: true });
    const driver = inspect.exitCode === 0 ? /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1] : undefined;
    return { version, driver };
  }

  /** `docker login` with the password on standard input only, into this step's Docker config. */
  async login(registry: string, password: string): Promise<void> {
    await this.forgetCredentialHelper(registry);
    const result = await this.run(['login', '--username', 'AWS', '--password-stdin', registry], {
      input: password,
      silent: true,
    });
    if (result.exitCode !== 0) {
      throw new UserError(
        `docker login to ${registry} failed (${firstLine(result) || `exit ${result.exitCode}`}). ` +
          'Check that the runner can reach the registry (proxy, VPC endpoint) and that the Docker CLI works.',
      );
    }
    const config = await this.readConfig();
    const stored = Object.entries(config.auths ?? {}).some(
      ([address, entry]) => hostOf(address) === registry && typeof entry.auth === 'string',
    );
    if (!stored) {
      core.warning(
        `docker login stored the ECR password for ${registry} outside this step's Docker config (a credential ` +
          'helper found on PATH); it expires within 12 hours but is not removed with the step.',
      );
    }
    core.info(`Logged in to ${registry} with a Docker config used only by this step`);
  }

  /** Removes this step's Docker config, the ECR login in it, and the build metadata. */
  async dispose(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }

  private async readConfig(): Promise<DockerConfigFile> {
    return JSON.parse(await readFile(join(this.configDir, 'config.json'), 'utf8')) as DockerConfigFile;
  }

  // A credential helper configured for this registry (amazon-ecr-credential-helper) would take the login
  // out of this directory; this step logs in itself.
  private async forgetCredentialHelper(registry: string): Promise<void> {
    const config = await this.readConfig();
    if (config.credHelpers?.[registry] === undefined) return;
    delete config.credHelpers[registry];
    await writeConfig(this.configDir, config);
  }
}

/** Copies the user's config.json without its credential store, and links the folders buildx needs. */
async function inheritDockerConfig(userDir: string, configDir: string): Promise<void> {
  let config: DockerConfigFile = {};
  const userConfig = join(userDir, 'config.json');
  if (existsSync(userConfig)) {
    try {
      config = JSON.parse(await readFile(userConfig, 'utf8')) as DockerConfigFile;
    } catch (error) {
      core.warning(`Ignoring ${userConfig}: it is not valid JSON (${errorMessage(error)})`);
    }
  }
  // With a credential store the ECR password would be saved outside this step's directory.
  delete config.credsStore;
  await writeConfig(configDir, config);
  for (const folder of SHARED_CONFIG_FOLDERS) {
    const target = join(userDir, folder);
    if (existsSync(target)) await symlink(target, join(configDir, folder));
  }
}

async function writeConfig(configDir: string, config: DockerConfigFile): Promise<void> {
  await writeFile(join(configDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

function hostOf(address: string): string {
  return address.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

function compareVersion(actual: readonly number[], minimum: readonly number[]): number {
  for (let index = 0; index < minimum.length; index++) {
    const difference = (actual[index] ?? 0) - minimum[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The non-blank lines a command printed on stderr, else on stdout: Docker explains failures there. */
function outputLines(result: DockerResult): string[] {
  const text = result.stderr.trim() ? result.stderr : result.stdout;
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Docker's reason comes first (`docker: 'buildx' is not a docker command.`), hints such as `See 'docker --help'` after. */
export function firstLine(result: DockerResult): string {
  return (outputLines(result)[0] ?? '').replace(/\.$/, '');
}

/** A build's log ends with the reason it stopped. */
export function lastLine(result: DockerResult): string {
  return outputLines(result).at(-1) ?? '';
}
