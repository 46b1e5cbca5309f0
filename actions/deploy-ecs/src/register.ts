// Registration is shared with run-task: it lives in packages/taskdef.
export { containerImages, describeExisting, registerIfChanged } from '@ecs-actions/taskdef';
export type { ContainerImage, TargetTaskDefinition } from '@ecs-actions/taskdef';
