import { parseArgs } from 'node:util';
import { isGitHubRepository, REPOSITORY_FORM } from './repository.js';
import { UsageError } from './usage-error.js';

export { UsageError };

export const USAGE = `Usage:
  npx ecs-actions deploy --environment <env> (--image <repo>@sha256:<digest> | --task-definition <family:revision>)
                         [--variables <file>] [--vars-file <file>] [--template <file>] [--version <sha>]
                         [--migrate-command <json array>] [--repository <owner/name>] [--dry-run] [--yes]
                         [--reports <dir>]
  npx ecs-actions rollback --environment <env> [--repository <owner/name>] [--dry-run] [--yes] [--reports <dir>]
                           [--variables <file>]
  npx ecs-actions rollback --environment <env> (--task-definition <family:revision | arn> | --image ...) [same options]

Runs .github/workflows/deploy-environment.yml on this machine (the local workflow executor) with your AWS
credentials (the standard chain: AWS_PROFILE, ~/.aws, SSO, environment variables). A rollback with neither
--task-definition nor --image runs .github/workflows/rollback.yml instead: its plan job finds the previous
successful deploy (ECS's service-deployment history, else the deployed/<env>/* tags; GITHUB_TOKEN reads them,
GITHUB_API_URL for GitHub Enterprise) and prints it; --dry-run stops there.
  --variables  YAML of the GitHub vars and secrets the workflow reads (vars:, secrets:,
               environments: {<env>: {vars:, secrets:}}); default .github/ecs-actions.local.yml
  --vars-file  the workflow's vars-file input (template variables); default sample-service/deploy/<env>.env
  --repository the GitHub repository the deploy tags and changelog belong to (github.repository), owner/name;
               default the origin remote of the working tree (github.com, or the host of GITHUB_SERVER_URL)
  --dry-run    stop before the first change: render and diff the task definition, then the pre-flight checks
  --yes        do not ask before deploying to prod (needed without a terminal)
  --reports    where the Markdown deployment report goes; default reports/`;

export interface CliOptions {
  command: 'deploy' | 'rollback';
  environment: string;
  image?: string;
  taskDefinition?: string;
  variables: string;
  varsFile?: string;
  template?: string;
  version?: string;
  migrateCommand?: string;
  /** owner/name; undefined: the origin remote's (resolveRepository). */
  repository?: string;
  dryRun: boolean;
  yes: boolean;
  reports: string;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        environment: { type: 'string' },
        image: { type: 'string' },
        'task-definition': { type: 'string' },
        variables: { type: 'string', default: '.github/ecs-actions.local.yml' },
        'vars-file': { type: 'string' },
        template: { type: 'string' },
        version: { type: 'string' },
        'migrate-command': { type: 'string' },
        repository: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        reports: { type: 'string', default: 'reports' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (command !== 'deploy' && command !== 'rollback')
    throw new UsageError(`expected the command deploy or rollback, got ${JSON.stringify(command ?? '')}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const environment = values.environment ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(environment))
    throw new UsageError(
      `--environment: ${JSON.stringify(environment)} is not an environment name (dev, staging, prod)`,
    );
  if (values.repository !== undefined && !isGitHubRepository(values.repository))
    throw new UsageError(
      `--repository: ${JSON.stringify(values.repository)} is not a GitHub repository; expected ${REPOSITORY_FORM}`,
    );
  if (command === 'deploy' && Boolean(values.image) === Boolean(values['task-definition']))
    throw new UsageError('deploy needs exactly one of --image <repository>@sha256:<digest> and --task-definition');
  if (command === 'rollback' && values.image && values['task-definition'])
    throw new UsageError('rollback takes one of --image and --task-definition, or neither (the previous deploy)');
  // rollback.yml renders with the service's own template and vars-file, as the Rollback button does.
  const planned = command === 'rollback' && !values.image && !values['task-definition'];
  const fixed = (['vars-file', 'template', 'migrate-command'] as const).filter((name) => values[name] !== undefined);
  if (planned && fixed.length > 0)
    throw new UsageError(
      `--${fixed[0]} needs --task-definition or --image: a rollback to the previous successful deploy runs ` +
        'rollback.yml as it is',
    );
  return {
    command,
    environment,
    image: values.image,
    taskDefinition: values['task-definition'],
    variables: values.variables!,
    varsFile: values['vars-file'],
    template: values.template,
    version: values.version,
    migrateCommand: values['migrate-command'],
    repository: values.repository,
    dryRun: values['dry-run']!,
    yes: values.yes!,
    reports: values.reports!,
  };
}
