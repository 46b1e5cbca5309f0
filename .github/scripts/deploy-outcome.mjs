// Step "Summarise the outcome" of deploy-environment.yml.
import { decideOutcome, logLine, writeOutputs } from './deploy-steps.mjs';

const outcome = decideOutcome(process.env);
writeOutputs(outcome);
// The reason quotes step outputs: kept on one line, so no part of it can start a workflow command.
console.log(logLine(`status: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`));
