import { IMAGE, describeRefusals } from './fixtures.js';
import { INJECTED, type HostileCase } from './harness.js';

/* Issue 18, workflow commands: a line break in a single-line input is refused, naming the input, in every action. */

function brokenLine(name: string, action: HostileCase['action'], input: string, inputs: Record<string, string>) {
  return { name, action, inputs, error: new RegExp(`^Input '${input}': holds a line break; expected a single line$`) };
}

describeRefusals('a line break in a single-line input', [
  brokenLine('a cluster that adds a mask', 'deploy-ecs', 'cluster', {
    cluster: `demo-dev\n::add-mask::${INJECTED}`,
    service: 'sample-service',
    'task-definition': 'sample-service-dev:1',
  }),
  brokenLine('a family that adds a notice', 'render-taskdef', 'family', {
    family: `sample-service-dev\n::notice::${INJECTED}`,
    images: `web=${IMAGE}`,
  }),
  brokenLine('a service that stops commands after a CR', 'verify-targets', 'service', {
    cluster: 'demo-dev',
    service: `sample-service\r::stop-commands::${INJECTED}`,
  }),
  brokenLine('a task definition after a CRLF', 'run-task', 'task-definition', {
    cluster: 'demo-dev',
    'task-definition': `sample-service-dev:1\r\n::add-mask::${INJECTED}`,
  }),
  brokenLine('a base URL that adds a notice', 'smoke-test', 'base-url', {
    'base-url': `http://127.0.0.1:9/\n::notice::${INJECTED}`,
  }),
  brokenLine('an environment that adds a mask', 'notify-slack', 'environment', {
    status: 'success',
    environment: `prod\n::add-mask::${INJECTED}`,
  }),
  brokenLine('a version that adds a warning', 'notify-slack', 'version', {
    status: 'success',
    version: `v1\n::warning::${INJECTED}`,
  }),
  brokenLine('an environment after a Unicode line separator', 'changelog', 'environment', {
    environment: `prod\u2028::warning::${INJECTED}`,
  }),
  brokenLine('a service that adds a mask', 'rollback-plan', 'service', {
    environment: 'dev',
    cluster: 'demo-dev',
    service: `sample-service\n::add-mask::${INJECTED}`,
  }),
  brokenLine('a repository that adds a mask', 'build-push-digest', 'repository', {
    repository: `web\n::add-mask::${INJECTED}`,
  }),
]);
