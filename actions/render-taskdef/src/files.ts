import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

/**
 * Writes the rendered task definition under RUNNER_TEMP (os.tmpdir() outside a runner), in a folder of its own
 * so that two renders in one job never overwrite each other.
 */
export async function writeTaskDefinition(
  taskDefinition: RegisterTaskDefinitionCommandInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const directory = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'render-taskdef-'));
  const path = join(directory, `${taskDefinition.family}.json`);
  await writeFile(path, `${JSON.stringify(taskDefinition, null, 2)}\n`, 'utf8');
  return path;
}
