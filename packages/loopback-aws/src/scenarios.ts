/** How the next rollout of a new task definition goes. */
export type ScenarioName =
  'completes' | 'circuit-breaker-rollback' | 'tasks-keep-stopping' | 'targets-unhealthy' | 'wrong-digest';

/**
 * What the tasks of one task definition do, decided the first time it is deployed and kept after that, so that
 * deploying the same revision again fails the same way and a rollback to a revision that ran before completes.
 */
export type Fate = 'healthy' | 'crash' | 'unhealthy-targets' | 'other-digest';

export interface CircuitBreaker {
  enable: boolean;
  rollback: boolean;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  fate: Fate;
  /** Set on every service when the scenario is chosen: the scenario only makes sense with this setting. */
  circuitBreaker?: CircuitBreaker;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  completes: {
    name: 'completes',
    description: 'the new tasks start, their targets turn healthy, the old tasks drain and the rollout completes',
    fate: 'healthy',
  },
  'circuit-breaker-rollback': {
    name: 'circuit-breaker-rollback',
    description:
      'the new tasks exit with code 1; the circuit breaker marks the rollout FAILED and ECS rolls back to the last completed deployment',
    fate: 'crash',
    circuitBreaker: { enable: true, rollback: true },
  },
  'tasks-keep-stopping': {
    name: 'tasks-keep-stopping',
    description:
      'the new tasks exit with code 1 again and again; with no circuit breaker the rollout stays IN_PROGRESS until someone rolls back',
    fate: 'crash',
    circuitBreaker: { enable: false, rollback: false },
  },
  'targets-unhealthy': {
    name: 'targets-unhealthy',
    description: 'the rollout completes in ECS, but the new targets stay unhealthy (HTTP 502 on the health check)',
    fate: 'unhealthy-targets',
  },
  'wrong-digest': {
    name: 'wrong-digest',
    description: 'the rollout completes and the targets are healthy, but the new tasks run another image digest',
    fate: 'other-digest',
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

export function scenarioNamed(name: string): Scenario {
  if (!isScenarioName(name)) {
    throw new Error(`Unknown scenario "${name}"; expected one of: ${SCENARIO_NAMES.join(', ')}`);
  }
  return SCENARIOS[name];
}
