// The task-definition fixtures live with the validation they were written for.
export * from '../../../packages/taskdef/test/fixtures.js';
