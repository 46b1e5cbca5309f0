export { main } from './main.js';
export { parseCli, USAGE } from './args.js';
export type { CliOptions } from './args.js';
export { deploy } from './deploy.js';
export type { DeployOutcome, DeployIo } from './deploy.js';
