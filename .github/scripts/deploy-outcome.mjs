// Step "Summarise the outcome" of deploy-environment.yml.
import { decideOutcome, writeOutputs } from './deploy-steps.mjs';

const outcome = decideOutcome(process.env);
writeOutputs(outcome);
// The reason quotes step outputs: kept on one line, so no part of it can start a workflow command.
console.log(
  `status: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`.replace(/[\r\n\u2028\u2029]+/g, ' '),
);
