/** Injection token for the validated start-up configuration (see config.ts). */
export const CONFIG = Symbol('CONFIG');

/** Injection token for the pino logger that writes the service's JSON log lines. */
export const LOGGER = Symbol('LOGGER');
