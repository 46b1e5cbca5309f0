import { execFile } from 'node:child_process';

export interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>` with the caller's DOCKER_HOST; a non-zero exit is returned, not thrown. */
export function docker(
  args: string[],
  options: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode: code, stdout, stderr: error && !stderr ? error.message : stderr });
      },
    );
  });
}

/** `docker <args>`, failing with Docker's own message when it exits non-zero; returns stdout trimmed. */
export async function dockerOk(args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.exitCode !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-2000)}`);
  }
  return result.stdout.trim();
}
