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
