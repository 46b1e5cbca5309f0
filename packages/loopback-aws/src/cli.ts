import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, SCENARIOS, isScenarioName, startLoopbackAws } from './index.js';

/** `npx tsx packages/loopback-aws/src/cli.ts [--scenario completes] [--port 4566] [--step-ms 300]` */

const usage = `Usage: loopback-aws [--scenario <name>] [--port <n>] [--step-ms <ms>] [--quiet]
Scenarios:
${SCENARIO_NAMES.map((name) => `  ${name.padEnd(32)}${SCENARIOS[name].description}`).join('\n')}`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'completes' },
    port: { type: 'string', default: '0' },
    'step-ms': { type: 'string', default: '300' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!isScenarioName(values.scenario)) fail(`Unknown scenario "${values.scenario}".`);
const port = Number(values.port);
const stepMs = Number(values['step-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port "${values.port}" is not a port number.`);
if (!Number.isFinite(stepMs) || stepMs <= 0) fail(`--step-ms "${values['step-ms']}" is not a positive number.`);

const aws = await startLoopbackAws({
  port,
  stepMs,
  scenario: values.scenario,
  log: values.quiet ? undefined : (line) => console.log(`[loopback-aws] ${line}`),
});
console.log(`Loopback AWS listening on ${aws.url} (scenario ${aws.scenario}, account ${aws.accountId}, ${aws.region})`);
console.log(
  `  export AWS_ENDPOINT_URL=${aws.url} AWS_REGION=${aws.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    aws.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Stopping the loopback AWS failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}
