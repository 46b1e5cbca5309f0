import * as core from '@actions/core';
import { ECSClient, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { group, setOutputs, type RunDependencies, foreignLine, printForeign } from '@ecs-actions/action-kit';
import { checkArnsInScope, createAwsClient, parseArn } from '@ecs-actions/aws';
import { diffAgainstRunning } from './compare.js';
import { describeRevision, describeRunningRevision, type RunningRevision } from './ecs.js';
import { writeTaskDefinition } from './files.js';
import { readInputs, type Inputs } from './inputs.js';
import { renderTaskDefinition } from './render.js';
import { writeSummary } from './summary.js';
import { loadTemplate } from './template.js';
import { assertValid, roleArnInputs, validateTaskDefinition } from '@ecs-actions/taskdef';
import { mergeVars, readVarsFile } from './vars.js';

interface Base {
  taskDefinition: RegisterTaskDefinitionCommandInput;
  /** Where it came from, for messages and the summary: the template path or `family:revision`. */
  source: string;
  /** The registered revision it came from (family), which tells the account. */
  arn?: string;
  /** The input it came from, and where in it: the template path or `family:revision`. */
  input: 'template' | 'family';
  where: string;
}

export async function run(_dependencies: Partial<RunDependencies> = {}): Promise<void> {
  const inputs = readInputs();
  let ecs: ECSClient | undefined;
  const ecsClient = () => (ecs ??= createAwsClient(ECSClient, { region: inputs.region, action: 'render-taskdef' }));

  const base = await group('Read the task definition', () => readBase(inputs, ecsClient));

  const rendered = await group(`Render ${base.taskDefinition.family}`, async () => {
    const result = renderTaskDefinition(base.taskDefinition, {
      images: inputs.images,
      container: inputs.container,
      environment: inputs.environment,
      environmentMode: inputs['environment-mode'],
      secrets: inputs.secrets,
      command: inputs.command,
      dockerLabels: inputs['docker-labels'],
      logOptions: inputs['log-options'],
      cpu: inputs.cpu,
      memory: inputs.memory,
      taskRoleArn: inputs['task-role-arn'],
      executionRoleArn: inputs['execution-role-arn'],
    });
    result.notices.forEach((notice) => core.notice(notice));
    const validation = validateTaskDefinition(result.taskDefinition);
    [...result.warnings, ...validation.warnings].forEach((warning) => core.warning(warning));
    assertValid(validation, `Input '${base.input}': ${base.where}`);
    for (const [container, image] of Object.entries(result.images)) core.info(foreignLine(`${container}: ${image}`));
    const settings = containerSettings(inputs);
    if (result.target !== undefined && settings.length > 0)
      core.info(`${result.target}: applied ${settings.join(', ')}`);
    core.info(`cpu ${result.taskDefinition.cpu ?? '-'}, memory ${result.taskDefinition.memory ?? '-'} MiB`);
    return result;
  });

  let running: RunningRevision | undefined;
  let diff = '';
  if (inputs.cluster !== undefined && inputs.service !== undefined) {
    const { cluster, service } = inputs;
    [running, diff] = await group(`Compare with the revision ${service} runs`, async () => {
      const current = await describeRunningRevision(ecsClient(), cluster, service);
      if (!current.found) {
        core.warning(`No diff: ${current.reason} (a first deploy creates it)`);
        return [current, ''] as const;
      }
      const changes = diffAgainstRunning(current.revision, rendered.taskDefinition);
      // The diff quotes template values and the running revision: printed so no line of it is a command.
      if (changes === '') core.info(`No change from ${current.revision.name}`);
      else printForeign(changes);
      return [current, changes] as const;
    });
  }
  // Before the file is written: ECS can only pass roles of its own account (iam:PassRole), so a role of another
  // account fails at deploy time; here it is named as soon as a registered revision tells which account this is.
  const account = parseArn(running?.found ? running.revision.arn : (base.arn ?? ''))?.account;
  if (account !== undefined) checkRolesInScope(inputs, base, rendered.taskDefinition, account);

  const path = await writeTaskDefinition(rendered.taskDefinition);
  core.info(`Wrote ${path}`);
  setOutputs({ 'task-definition': path, images: rendered.images });

  await writeSummary({ source: base.source, path, rendered, running, diff });
}

async function readBase(inputs: Inputs, ecsClient: () => ECSClient): Promise<Base> {
  if (inputs.template !== undefined) {
    const fromFile = inputs['vars-file'] === undefined ? new Map() : await readVarsFile(inputs['vars-file']);
    const loaded = await loadTemplate(inputs.template, mergeVars(fromFile, inputs.vars));
    if (loaded.strippedKeys.length > 0) {
      core.notice(
        `Removed read-only keys from ${inputs.template}: ${loaded.strippedKeys.join(', ')} ` +
          '(DescribeTaskDefinition returns them; RegisterTaskDefinition refuses them)',
      );
    }
    if (loaded.unusedVars.length > 0) {
      core.warning(`vars not used by any placeholder in ${inputs.template}: ${loaded.unusedVars.join(', ')}`);
    }
    core.info(foreignLine(`Read ${inputs.template} (family ${loaded.taskDefinition.family})`));
    return {
      taskDefinition: loaded.taskDefinition,
      source: `template ${inputs.template}`,
      input: 'template',
      where: inputs.template,
    };
  }
  const revision = await describeRevision(ecsClient(), inputs.family!);
  core.info(`Starting from ${revision.name}, the newest ACTIVE revision (${revision.arn})`);
  return {
    taskDefinition: revision.taskDefinition,
    source: `task definition ${revision.name}`,
    arn: revision.arn,
    input: 'family',
    where: revision.name,
  };
}

/** The container inputs that were set, as the log names them. */
function containerSettings(inputs: Inputs): string[] {
  const settings: string[] = [];
  if (inputs.environment)
    settings.push(`environment (${inputs['environment-mode']}, ${inputs.environment.size} variables)`);
  if (inputs.secrets) settings.push(`secrets (${[...inputs.secrets.keys()].join(', ')})`);
  if (inputs.command) settings.push('command');
  if (inputs['docker-labels']) settings.push('docker-labels');
  if (inputs['log-options']) settings.push('log-options');
  return settings;
}

/**
 * The rendered roles against the account; each is named by the input that set it, else by the template or revision
 * and the field it sits in.
 */
function checkRolesInScope(
  inputs: Inputs,
  base: Base,
  taskDefinition: RegisterTaskDefinitionCommandInput,
  account: string,
): void {
  const fromBase = roleArnInputs(base.input, base.where, {
    executionRoleArn: inputs['execution-role-arn'] === undefined ? taskDefinition.executionRoleArn : undefined,
    taskRoleArn: inputs['task-role-arn'] === undefined ? taskDefinition.taskRoleArn : undefined,
  });
  checkArnsInScope(
    [
      { input: 'execution-role-arn', value: inputs['execution-role-arn'] },
      { input: 'task-role-arn', value: inputs['task-role-arn'] },
      ...fromBase,
    ],
    // IAM ARNs have no region, so the region is never compared.
    { account, region: '' },
  );
}
