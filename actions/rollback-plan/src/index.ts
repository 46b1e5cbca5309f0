import { runAction } from '@ecs-actions/action-kit';
import { run } from './main.js';

await runAction(run);
