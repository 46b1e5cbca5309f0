/** Reads sample-service/Dockerfile into stages of instructions, for static checks (no Docker engine in CI). */
import { readFileSync } from 'node:fs';

export const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
export const dockerignore = readFileSync(new URL('../../Dockerfile.dockerignore', import.meta.url), 'utf8');

export interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions per stage, comments dropped and continuation lines joined. */
export function stages(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

export const all = stages(dockerfile);
export const finalStage = all.at(-1) ?? [];
export const argsOf = (stage: Instruction[], keyword: string) =>
  stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

/** The JavaScript the HEALTHCHECK runs with `node -e`. */
export function healthcheckScript(): string {
  const [healthcheck] = argsOf(finalStage, 'HEALTHCHECK');
  const exec = /CMD (\[.*\])$/.exec(healthcheck ?? '');
  const command = exec ? (JSON.parse(exec[1]) as string[]) : [];
  if (command[0] !== 'node' || command[1] !== '-e') throw new Error(`unexpected HEALTHCHECK: ${healthcheck}`);
  return command[2];
}
