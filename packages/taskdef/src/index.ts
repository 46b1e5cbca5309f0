export {
  READ_ONLY_KEYS,
  parseDocument,
  prepareTaskDefinition,
  readTaskDefinitionFile,
  fromDescribedTaskDefinition,
} from './prepare.js';
export type { PreparedTaskDefinition } from './prepare.js';
export { normalizeForComparison, isSameTaskDefinition } from './compare.js';
export { checkShape, registerTaskDefinitionShape } from './schema.js';
export type { Shape, ShapeProblem } from './schema.js';
export {
  TASK_DEFINITION_ARN_FORM,
  parseRevisionReference,
  isTaskDefinitionArn,
  revisionLabel,
  familyOf,
} from './revision.js';
export type { RevisionReference } from './revision.js';
export {
  FARGATE_MEMORY,
  FAMILY_PATTERN,
  FAMILY_RULE,
  parseCpuUnits,
  parseMemoryMiB,
  validateTaskDefinition,
  assertValid,
} from './validate.js';
export type { Validation } from './validate.js';
export { ROLE_ARN_FORM, SECRET_REFERENCE_FORMS, isRoleArn, roleArnInputs, secretSource } from './references.js';
export type { SecretSource } from './references.js';
export { containerImages, describeExisting, registerIfChanged } from './register.js';
export type { ContainerImage, RevisionLogger, TargetTaskDefinition } from './register.js';
export { readTaskDefinitionSource } from './source.js';
export type { TaskDefinitionSource } from './source.js';
