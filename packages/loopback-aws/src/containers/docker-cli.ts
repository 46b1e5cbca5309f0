import { spawn } from 'node:child_process';

/** The docker CLI, run without a shell; DOCKER_HOST and the rest of the environment are inherited. */

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function docker(args: string[], options: { timeoutMs?: number } = {}): Promise<DockerResult> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The engine's version, or why it cannot be reached (no CLI, no DOCKER_HOST, engine down). */
export async function dockerEngine(): Promise<{ version: string } | { problem: string }> {
  const result = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
  if (result.code === 0 && result.stdout.trim()) return { version: result.stdout.trim() };
  const why = (result.stderr.trim().split('\n').at(-1) ?? '') || `docker exited ${result.code}`;
  return { problem: `no Docker engine reachable (${why}); run \`source scripts/ci-docker.sh\` first` };
}
