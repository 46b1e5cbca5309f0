// Step "Summarise the outcome" of deploy-environment.yml.
import { decideOutcome, writeOutputs } from './deploy-steps.mjs';

const outcome = decideOutcome(process.env);
writeOutputs(outcome);
console.log(`status: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`);
