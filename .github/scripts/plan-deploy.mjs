// Step "Check the inputs" of deploy-environment.yml.
import { errorCommand, planDeploy, writeOutputs } from './deploy-steps.mjs';

try {
  const plan = planDeploy(process.env);
  writeOutputs(plan);
  console.log(
    plan.mode === 'image' ? `Deploying image digest ${plan.digest}` : 'Deploying an existing task-definition revision',
  );
} catch (error) {
  console.log(errorCommand(error.message));
  process.exit(1);
}
