import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  buildChangelog,
  changelogLines,
  describeRollbackPlan,
  planRollback,
  previousDeploy,
  pullRequestOf,
  titleOf,
  type CommitSource,
  type DeployTag,
} from '@ecs-actions/deploy-record';
import {
  demoCluster,
  DEMO_ENVIRONMENTS,
  SAMPLE_REPOSITORY,
  SAMPLE_SERVICE,
  type DemoEnvironment,
  type LoopbackAws,
} from '@ecs-actions/loopback-aws';
import type { Logger } from './pipeline.js';
import { repositoryRoot } from './run-bundle.js';

const run = promisify(execFile);
const FIELD = '\u001f';
const RECORD = '\u001e';

/**
 * The commits between two deploys from a local git history: what GitHub's compare API answers the changelog action
 * on a runner (githubCommitSource), oldest first.
 */
export function gitCommitSource(cwd: string, compareBase = 'https://github.com/org/ecs-actions'): CommitSource {
  return {
    async compare(base, head) {
      const { stdout } = await run(
        'git',
        ['log', '--reverse', `--format=%H${FIELD}%an${FIELD}%B${RECORD}`, `${base}..${head}`],
        { cwd, maxBuffer: 16 * 1024 * 1024 },
      );
      const commits = stdout
        .split(RECORD)
        .map((entry) => entry.replace(/^\n/, ''))
        .filter((entry) => entry.includes(FIELD))
        .map((entry) => {
          const [sha, author, message] = entry.split(FIELD) as [string, string, string];
          const title = titleOf(message);
          return { sha, author, title, pullRequest: pullRequestOf(title) };
        });
      return { commits, totalCommits: commits.length, compareUrl: `${compareBase}/compare/${base}...${head}` };
    },
  };
}

/**
 * The rehearsal's deployment record: the deployed/<env>/<run> tags deploy-environment.yml's record job writes, kept
 * in memory. The seeded world stands for an earlier deploy of `previousCommit`: its tag is run 1, and the image it
 * runs carries that commit's short SHA in ECR, as build-push-digest tags it.
 */
export class RehearsalDeployRecord {
  readonly tags: DeployTag[] = [];

  constructor(
    private readonly aws: LoopbackAws,
    readonly previousCommit: string | undefined,
  ) {
    if (!previousCommit) return;
    for (const environment of DEMO_ENVIRONMENTS) this.tags.push({ environment, run: 1, sha: previousCommit });
    aws.seedImage({ repository: SAMPLE_REPOSITORY, tags: [previousCommit.slice(0, 7)], label: 'sample-service 1.0.0' });
  }

  /** Run 2 of the environment, as the record job tags a deploy that succeeded. */
  record(environment: string, commit: string): void {
    this.tags.push({ environment, run: 2, sha: commit });
  }

  /**
   * Prints what the changelog step and rollback.yml's plan job print for this environment: the commits the deploy
   * brought, and where a one-click rollback would go now.
   */
  async print(environment: string, commit: string, deployed: boolean, log: Logger): Promise<void> {
    if (deployed) {
      const previous = previousDeploy(this.tags, environment, 2);
      const changelog = await buildChangelog(gitCommitSource(repositoryRoot), { base: previous?.sha, head: commit });
      log(`Changelog for ${environment}:`);
      for (const line of changelogLines(changelog)) log(`  ${line}`);
    }
    const config = {
      endpoint: this.aws.url,
      region: this.aws.region,
      credentials: { accessKeyId: 'AKIDREHEARSAL', secretAccessKey: 'rehearsal-secret' },
    };
    const ecs = new ECSClient(config);
    const ecr = new ECRClient(config);
    try {
      const plan = await planRollback(
        { ecs, ecr, deployTags: async () => this.tags.filter((tag) => tag.environment === environment) },
        {
          environment,
          cluster: demoCluster(environment as DemoEnvironment),
          service: SAMPLE_SERVICE,
          container: 'web',
        },
      );
      for (const note of plan.notes) log(`  note: ${note}`);
      log(describeRollbackPlan(plan, environment));
    } finally {
      ecs.destroy();
      ecr.destroy();
    }
  }
}

/** The commit `back` commits before `head` in the local history, if there is one. */
export async function earlierCommit(head: string, back: number): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--verify', '--quiet', `${head}~${back}`], {
      cwd: repositoryRoot,
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
