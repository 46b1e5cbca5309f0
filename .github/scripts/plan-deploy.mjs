// Step "Check the inputs" of deploy-environment.yml.
import { readFileSync } from 'node:fs';
import { planDeploy, writeOutputs } from './deploy-steps.mjs';

try {
  const varsFile = process.env.VARS_FILE?.trim();
  const plan = planDeploy({ ...process.env, VARS_FILE_CONTENT: varsFile ? readFileSync(varsFile, 'utf8') : '' });
  writeOutputs(plan);
  console.log(
    plan.mode === 'image' ? `Deploying image digest ${plan.digest}` : 'Deploying an existing task-definition revision',
  );
} catch (error) {
  console.log(`::error::${error.message}`);
  process.exit(1);
}
