const USER_ERROR = Symbol.for('ecs-actions.user-error');

/**
 * A failure the user can fix (bad input, missing permission, a rollout that failed).
 * It is reported as one clear line, without a stack; anything else is treated as a bug.
 */
export class UserError extends Error {
  readonly [USER_ERROR] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** True for a UserError, also when it comes from another copy of this module (jest registries, bundles). */
export function isUserError(error: unknown): error is UserError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[USER_ERROR] === true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
