/**
 * `npm run demo [-- --scenario <name>]`: the whole pipeline on this machine, no AWS account, no Docker engine.
 * The committed bundles run as a runner runs them, against the loopback AWS, a local Slack receiver and the
 * sample service, for dev, then staging, then prod, with one digest.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { SCENARIOS, sampleImageUri, SAMPLE_IMAGE_TAG } from '@ecs-actions/loopback-aws';
import { afterCancel, formatTable, REHEARSAL_SCENARIOS, startRehearsal, type RehearsalScenario } from './rehearsal.js';
import { revisionName } from './pipeline.js';
import { stopAllSteps } from './run-bundle.js';
import { earlierCommit, RehearsalDeployRecord } from './deploy-record.js';
import { dockerDemo, isDockerScenario } from './demo-docker.js';
import { DOCKER_SCENARIOS } from './docker-rehearsal.js';

const usage = `Usage: npm run demo [-- --scenario <name>] [--step-ms <ms>] [--docker]
Scenarios:
${Object.entries(REHEARSAL_SCENARIOS)
  .map(([name, scenario]) => `  ${name.padEnd(26)}${scenario.description}`)
  .join('\n')}
With --docker (real image, containers and load balancer; needs \`source scripts/ci-docker.sh\` and
\`source scripts/ci-postgres.sh\`):
${Object.entries(DOCKER_SCENARIOS)
  .map(([name, description]) => `  ${name.padEnd(26)}${description}`)
  .join('\n')}`;

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'completes' },
    'step-ms': { type: 'string', default: '150' },
    docker: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (values.docker) {
  if (!isDockerScenario(values.scenario)) {
    console.error(`Scenario "${values.scenario}" has no real-container version.\n${usage}`);
    process.exit(2);
  }
  process.exit(await dockerDemo({ scenario: values.scenario, stepMs: 100, log: (line) => console.log(line) }));
}
if (!(values.scenario in REHEARSAL_SCENARIOS)) {
  console.error(`Unknown scenario "${values.scenario}".\n${usage}`);
  process.exit(2);
}
const stepMs = Number(values['step-ms']);
if (!Number.isFinite(stepMs) || stepMs <= 0) {
  console.error(`--step-ms "${values['step-ms']}" is not a positive number of milliseconds.\n${usage}`);
  process.exit(2);
}
const scenarioName = values.scenario as RehearsalScenario;
const scenario = REHEARSAL_SCENARIOS[scenarioName];

let version: string;
try {
  version = execFileSync('git', ['rev-parse', 'HEAD'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  version = '0123456789abcdef0123456789abcdef01234567';
}

const log = (line: string) => console.log(line);
log(`ecs-actions local rehearsal: scenario "${scenarioName}" (${scenario.description})`);
log(
  'It runs the workflow files themselves: .github/workflows/pipeline.yml and the deploy-environment.yml it calls, ' +
    "through the local workflow executor (@ecs-actions/workflow-runner, on GitHub's workflow parser and expression " +
    'evaluator), against a loopback AWS. Third-party actions and the test, CodeQL and build jobs are declared ' +
    'stand-ins, printed where they run; environment approvals are granted automatically.',
);
log(
  `build-push-digest needs a Docker engine, which this rehearsal does not use: the simulated ECR already holds ` +
    `sample-service:${SAMPLE_IMAGE_TAG} as ${sampleImageUri()}, as if build-push-digest had pushed it.`,
);

const rehearsal = await startRehearsal({ scenario: scenarioName, stepMs, version, log });
// The seeded services stand for a deploy of an earlier commit: the changelog starts from it.
const deployRecord = new RehearsalDeployRecord(rehearsal.aws, await earlierCommit(version, 3));
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping the running step, the loopback AWS, the Slack receiver and the sample service...`);
    stopAllSteps.abort();
    void rehearsal.stop().finally(() => process.exit(130));
  });
}

let exitCode = 0;
try {
  log(
    `Loopback AWS ${rehearsal.aws.url} · sample service ${rehearsal.serviceUrl} · Slack receiver ${rehearsal.slack.url}`,
  );
  if (scenario.loopback)
    log(
      `The dev rollout follows the loopback scenario "${scenario.loopback}": ${SCENARIOS[scenario.loopback].description}`,
    );
  const results = await rehearsal.runPipeline();
  log('');
  log(formatTable(results));
  log('');
  log("Deployment record: each deploy's changelog, and the plan rollback.yml (no revision, no image) would print now");
  for (const result of results) {
    const deployed = result.status === 'succeeded' || result.status === 'unchanged';
    if (deployed) deployRecord.record(result.environment, version);
    await deployRecord.print(result.environment, version, deployed, log);
  }
  const failed = results.find((result) => result.status !== 'succeeded' && result.status !== 'unchanged');
  if (failed) {
    exitCode = 1;
    log('');
    log(`Deploy to ${failed.environment} ${failed.status}: ${failed.reason}`);
    if (failed.failure) log(`${failed.failure.step}: ${failed.failure.error}`);
    if (failed.status === 'rolled-back')
      log(`The service is back on ${revisionName(failed.taskDefinitionArn)}; promotion stopped.`);
    if (failed.status === 'cancelled') {
      log('After the cancel nobody watches the service; the loopback ECS goes on with what deploy-ecs left...');
      await afterCancel(rehearsal.aws, failed, { log });
    }
    log('The pipeline would fail here: the demo exits non-zero.');
  } else {
    log('');
    log(`Deployed ${version.slice(0, 12)} to dev, staging and prod with one digest.`);
  }
  log(`Slack messages: ${rehearsal.slack.messages.map((message) => message.method).join(', ') || 'none'}`);
} catch (error) {
  exitCode = 1;
  // After Ctrl-C the steps that were not started end the pipeline by design: nothing to report.
  if (!interrupted) console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  if (!interrupted) await rehearsal.stop();
}
process.exit(exitCode);
