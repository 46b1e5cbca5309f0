export { pullRequestOf, titleOf, type CommitEntry, type CommitSource, type Comparison } from './commits.js';
export { githubCommitSource, httpStatus, type Octokit, type Repository } from './github.js';
export {
  CHANGELOG_LIMIT,
  buildChangelog,
  changelogLines,
  changelogMarkdown,
  changelogSlack,
  short,
  unavailableChangelog,
  type Changelog,
  type ChangelogRequest,
} from './changelog.js';
export {
  createDeployTag,
  deployTagName,
  environmentTags,
  listDeployTags,
  parseDeployTag,
  previousDeploy,
  type DeployTag,
} from './deploy-tags.js';
export {
  rollbackFromDeployTags,
  rollbackFromServiceDeployments,
  type RollbackTarget,
  type ServiceDeploymentFacts,
} from './rollback-target.js';
export {
  describeRollbackPlan,
  planRollback,
  type RollbackPlan,
  type RollbackPlanRequest,
  type RollbackPlanSources,
} from './rollback-plan.js';
