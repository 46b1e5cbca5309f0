/** A command line the user must fix: printed with the usage, exit 2. */
export class UsageError extends Error {}
