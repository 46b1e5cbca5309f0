/*
 * Task definition revisions as users and ECS name them: `web:42`, or
 * `arn:aws:ecs:eu-west-1:123456789012:task-definition/web:42`.
 */

/** A revision named by `family:revision` or by its ARN. */
export interface RevisionReference {
  family: string;
  revision: number;
  /** Known from an ARN only. */
  partition?: string;
  region?: string;
  account?: string;
}

/** The ARN form, for messages that say what was expected. */
export const TASK_DEFINITION_ARN_FORM = 'arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>';

// ECS family names: up to 255 letters, digits, hyphens and underscores; revisions start at 1.
const TASK_DEFINITION_ARN =
  /^arn:(?<partition>aws[a-z-]*):ecs:(?<region>[a-z0-9-]+):(?<account>\d{12}):task-definition\/(?<family>[A-Za-z0-9_-]{1,255}):(?<revision>[1-9]\d*)$/;
const FAMILY_REVISION = /^(?<family>[A-Za-z0-9_-]{1,255}):(?<revision>[1-9]\d*)$/;

/** Parses `family:revision` or a task definition ARN; undefined for anything else (a bare family, a file path). */
export function parseRevisionReference(value: string): RevisionReference | undefined {
  const match = TASK_DEFINITION_ARN.exec(value) ?? FAMILY_REVISION.exec(value);
  if (!match?.groups) return undefined;
  const { family, revision, partition, region, account } = match.groups as Record<string, string | undefined>;
  return { family: family!, revision: Number(revision), partition, region, account };
}

/** True for a task definition ARN with a revision; false for `family:revision` and anything else. */
export function isTaskDefinitionArn(value: string): boolean {
  return TASK_DEFINITION_ARN.test(value);
}

/** `web:42` from a task definition ARN (or the reference itself when it is not an ARN); `none` when there is none. */
export function revisionLabel(taskDefinition: string | undefined): string {
  if (!taskDefinition) return 'none';
  const marker = 'task-definition/';
  const at = taskDefinition.indexOf(marker);
  return at === -1 ? taskDefinition : taskDefinition.slice(at + marker.length);
}

/** `web` from a task definition ARN or a `family:revision`. */
export function familyOf(taskDefinition: string): string {
  return revisionLabel(taskDefinition).replace(/:\d+$/, '');
}
