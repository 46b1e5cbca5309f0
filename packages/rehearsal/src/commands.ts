import { spawn } from 'node:child_process';

/** Runs a command without a shell; stdout and stderr together in `output`. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number; onLine?: (line: string) => void } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: string) => {
      output += chunk;
      if (options.onLine) for (const line of chunk.split('\n')) if (line.trim()) options.onLine(line);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (error) => resolve({ code: 127, output: `${output}${error.message}` }));
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}
