import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { writeFileInside } from '@ecs-actions/action-kit';

/**
 * Writes the rendered task definition under RUNNER_TEMP (os.tmpdir() outside a runner), in a folder of its own
 * so that two renders in one job never overwrite each other. The file is named after the family, which comes
 * from the template: writeFileInside refuses any name that would leave the folder.
 */
export async function writeTaskDefinition(
  taskDefinition: RegisterTaskDefinitionCommandInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const directory = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'render-taskdef-'));
  return writeFileInside(directory, `${taskDefinition.family}.json`, `${JSON.stringify(taskDefinition, null, 2)}\n`);
}
