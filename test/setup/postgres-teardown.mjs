/** Jest global teardown: stops the PostgreSQL server that ./postgres.mjs started for this run, if it started one. */
import { stopStartedPostgres } from './postgres.mjs';

export default function globalTeardown() {
  stopStartedPostgres();
}
