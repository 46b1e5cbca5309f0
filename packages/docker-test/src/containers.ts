import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { docker, dockerOk } from './cli.js';

/** Every container a test starts carries these labels, so that cleanup finds it even after a crash. */
export const TEST_LABEL = 'ecs-actions.test';
export const PID_LABEL = 'ecs-actions.test-pid';

/** A label value for one suite's containers: `removeContainers(suite)` in afterAll. */
export function suiteLabel(name: string): string {
  return `${name.replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** `127.0.0.N` with nothing listening on `port`: a container's own "ENI" on loopback (never 0.0.0.0). */
export async function freeLoopbackAddress(port: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const address = `127.0.0.${2 + Math.floor(Math.random() * 250)}`;
    if (await canListen(address, port)) return address;
  }
  throw new Error(`no free 127.0.0.N address for port ${port} after 50 tries`);
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface ContainerSpec {
  image: string;
  /** The suite's label value (see suiteLabel). */
  suite: string;
  env?: Record<string, string>;
  /** Extra `docker run` options placed before the image, e.g. `--health-interval=1s`. */
  options?: string[];
  command?: string[];
}

/** `docker run -d --network host` (the engine has no bridge), labelled for cleanup; returns the container id. */
export async function runContainer(spec: ContainerSpec): Promise<string> {
  const args = ['run', '-d', '--network', 'host', '--label', `${TEST_LABEL}=${spec.suite}`];
  args.push('--label', `${PID_LABEL}=${process.pid}`);
  for (const [name, value] of Object.entries(spec.env ?? {})) args.push('--env', `${name}=${value}`);
  args.push(...(spec.options ?? []), spec.image, ...(spec.command ?? []));
  return dockerOk(args);
}

/** Removes every container of a suite, running or not (afterAll, on failure too). */
export async function removeContainers(suite: string): Promise<void> {
  const ids = (await dockerOk(['ps', '-aq', '--filter', `label=${TEST_LABEL}=${suite}`])).split('\n').filter(Boolean);
  if (ids.length) await dockerOk(['rm', '-f', '-v', ...ids]);
}

/** Removes test containers left behind by a test process that no longer exists (a Ctrl-C'd jest run). */
export async function removeOrphanedContainers(): Promise<void> {
  const listing = await dockerOk([
    'ps',
    '-a',
    '--filter',
    `label=${TEST_LABEL}`,
    '--format',
    `{{.ID}} {{.Label "${PID_LABEL}"}}`,
  ]);
  const orphans = listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .filter(([, pid]) => !processExists(Number(pid)))
    .map(([id]) => id!);
  if (orphans.length) await docker(['rm', '-f', '-v', ...orphans]);
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  Health?: { Status: string; Log?: Array<{ ExitCode: number; Output: string }> };
}

export async function containerState(id: string): Promise<ContainerState> {
  return JSON.parse(await dockerOk(['inspect', '--format', '{{json .State}}', id])) as ContainerState;
}

/** Polls `docker inspect` until the predicate holds; fails with the last state and the container's log. */
export async function waitForState(
  id: string,
  predicate: (state: ContainerState) => boolean,
  timeoutMs: number,
): Promise<ContainerState> {
  const deadline = Date.now() + timeoutMs;
  let state = await containerState(id);
  while (!predicate(state)) {
    if (Date.now() > deadline) {
      const logs = await docker(['logs', '--tail', '20', id]);
      throw new Error(
        `container ${id.slice(0, 12)} did not reach the expected state within ${timeoutMs} ms; last state ` +
          `${JSON.stringify(state)}; its last lines:\n${logs.stdout}${logs.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    state = await containerState(id);
  }
  return state;
}

/** The container's stdout and stderr so far. */
export async function containerLogs(id: string): Promise<string> {
  const result = await docker(['logs', id]);
  return `${result.stdout}${result.stderr}`;
}
