export { startLoopbackAws } from './loopback.js';
export type { LoopbackAws, LoopbackAwsOptions } from './loopback.js';
export { SCENARIOS, SCENARIO_NAMES, isScenarioName } from './scenarios.js';
export type { ScenarioName, Scenario, Fate, CircuitBreaker } from './scenarios.js';
export type { Fault } from './errors.js';
export { appendContainerLogLines, appendLogLines, containerLogStream } from './logs.js';
export type { LogEventRecord, LogGroups } from './logs.js';
export { containerTasks, CONTAINER_LABEL } from './containers/docker-tasks.js';
export type { ContainerTasksOptions } from './containers/docker-tasks.js';
export { dockerEngine } from './containers/docker-cli.js';
export { simulatedTasks } from './tasks/runtime.js';
export type { TaskRuntime, TaskRuntimeFactory, TaskRunState, TargetHealthState } from './tasks/runtime.js';
export type { SecretSeed, ParameterSeed } from './secrets.js';
export { memoryImageStore, registryImageStore } from './ecr-images.js';
export type { EcrImageStore, RegistryImageStoreOptions } from './ecr-images.js';
export type { RecordedRequest } from './server.js';
export type { ServiceSeed, TargetGroupSeed, ImageSeed } from './seed.js';
export type {
  World,
  ServiceRecord,
  DeploymentRecord,
  TaskRecord,
  TaskDefinitionRecord,
  TargetGroupRecord,
  RepositoryRecord,
  ImageRecord,
  ClusterRecord,
} from './world.js';
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  DEMO_ENVIRONMENTS,
  SAMPLE_SERVICE,
  SAMPLE_REPOSITORY,
  SAMPLE_CONTAINER,
  SAMPLE_CONTAINER_PORT,
  SAMPLE_IMAGE_TAG,
  SAMPLE_IMAGE_DIGEST,
  OTHER_IMAGE_TAG,
  OTHER_IMAGE_DIGEST,
  demoCluster,
  demoFamily,
  demoTargetGroup,
  sampleImageUri,
  sampleTaskDefinition,
} from './defaults.js';
export type { DemoEnvironment } from './defaults.js';
export { startSilentServer } from './silent.js';
export type { SilentServer } from './silent.js';
export type { OneOffFate, OneOffTaskRecord } from './one-off.js';
export type { CodeDeploySeed } from './codedeploy/seed.js';
export type { CodeDeployDeploymentRecord, DeploymentGroupRecord } from './codedeploy/records.js';
