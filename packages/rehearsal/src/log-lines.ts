/** Workflow commands in a step's output as a person reads them in the Actions log (one helper, the executor's). */
export { readableLine } from '@ecs-actions/workflow-runner';
