/** Shared helpers of the Docker suites: engine detection, the cached sample-service build, containers by label. */
export { docker, dockerOk, type DockerResult } from './cli.js';
export { describeWithDocker, dockerEngine, onCi, START_ENGINE_HINT, type DockerEngine } from './engine.js';
export {
  PID_LABEL,
  TEST_LABEL,
  containerLogs,
  containerState,
  freeLoopbackAddress,
  removeContainers,
  removeOrphanedContainers,
  runContainer,
  suiteLabel,
  waitForState,
  type ContainerSpec,
  type ContainerState,
} from './containers.js';
export {
  REPOSITORY_ROOT,
  SAMPLE_DOCKERFILE,
  buildKey,
  buildSampleImage,
  contextFiles,
  nodeImage,
  type SampleImage,
} from './image.js';
export { registryAddress, registryManifestDigest } from './registry.js';
