import * as core from '@actions/core';
import {
  type Clock,
  UserError,
  foreignLine,
  formatDuration,
  group,
  setOutputs,
  systemClock,
  CancelledError,
  RunContext,
  isCancelled,
} from '@ecs-actions/action-kit';
import { builtinChecks } from './builtin-checks.js';
import { type CheckResult, NOT_RUN, fail, formatResult, runChecks } from './checks.js';
import { customCheck } from './custom-checks.js';
import { type Send, send as httpSend } from './http.js';
import { readInputs } from './inputs.js';
import { buildReport, reportSummary, writeReport } from './report.js';
import { waitForService, type WaitResult } from './wait.js';

/** Short, so a service that comes up is seen within a second. */
const WAIT_INTERVAL_MS = 1000;
const REQUEST_TIMEOUT_MS = 10_000;
const LATENCY_SAMPLES = 20;

export interface Dependencies {
  clock: Clock;
  send: Send;
  /** The plain-http URL whose redirect to https is checked (tests point it at a second local server). */
  httpUrl?: URL;
  /** Cancel signal and final phase, from runAction. */
  context: RunContext;
}

export async function run(dependencies: Partial<Dependencies> = {}): Promise<void> {
  const { clock = systemClock, send: sendRequest = httpSend, httpUrl } = dependencies;
  const context = dependencies.context ?? new RunContext();
  const inputs = readInputs();
  // Every request ends at once on a cancel, and during the checks at their deadline; none reads past max-body-size.
  let phaseSignal = context.signal;
  const send: Send = (url, request) =>
    sendRequest(url, { ...request, signal: request.signal ?? phaseSignal, maxBodyBytes: inputs['max-body-size'] });
  const baseUrl = inputs['base-url'];
  const expectedVersion = inputs['expected-version'];
  const checks = [
    ...builtinChecks(
      {
        baseUrl,
        httpUrl,
        expectedVersion,
        healthPath: inputs['health-path'],
        readyPath: inputs['ready-path'],
        versionPath: inputs['version-path'],
        protectedPath: inputs['protected-path'],
        corsOrigin: inputs['cors-origin'],
        latencyBudgetMs: inputs['latency-budget-ms'],
        latencySamples: LATENCY_SAMPLES,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      },
      send,
      inputs['builtin-checks'],
    ),
    ...(inputs.checks?.definitions ?? []).map((definition) =>
      customCheck(definition, baseUrl, send, REQUEST_TIMEOUT_MS),
    ),
  ];
  const startedAt = clock.now();
  const timeoutMs = inputs['timeout-seconds'] * 1000;

  const wait = await group(`Waiting for ${baseUrl.href} to answer (up to ${formatDuration(timeoutMs)})`, () =>
    waitForService({
      baseUrl,
      healthPath: inputs['health-path'],
      versionPath: inputs['version-path'],
      expectedVersion: inputs['builtin-checks'].includes('version') ? expectedVersion : undefined,
      timeoutMs,
      intervalMs: WAIT_INTERVAL_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      clock,
      send,
      log: (line) => core.info(foreignLine(line)),
      signal: context.signal,
    }).catch((error: unknown): WaitResult => {
      if (!isCancelled(error)) throw error;
      return { ready: false, answered: false, elapsedMs: clock.now() - startedAt, lastState: error.message };
    }),
  );
  if (wait.ready) core.info(`${baseUrl.href} is up after ${formatDuration(wait.elapsedMs)}`);
  else if (wait.answered)
    core.warning(`Not ready after ${formatDuration(wait.elapsedMs)} (${wait.lastState}); running the checks anyway`);
  const lastState = wait.ready ? null : wait.lastState;

  let results: CheckResult[];
  const checksStarted = performance.now();
  if (!wait.ready && !wait.answered) {
    // Ten lines of "connection refused" would hide the one fact that matters: nothing answered.
    results = checks.map((check) => ({
      name: check.name,
      ...fail(NOT_RUN, `an answer from ${baseUrl.href}`, lastState ?? 'no answer'),
      durationMs: 0,
    }));
  } else {
    // One slow or dribbling endpoint must not hold the step: a check still running at the deadline fails.
    const checksTimeout = inputs['checks-timeout-seconds'];
    phaseSignal = context.withDeadline(checksTimeout * 1000, `checks-timeout-seconds (${checksTimeout} s)`).signal;
    results = await group(`Running ${checks.length} checks (up to ${formatDuration(checksTimeout * 1000)})`, () =>
      runChecks(checks, (result) => {
        // Names come from the checks file and details from the service's answers: foreign text.
        if (result.outcome === 'fail') core.error(formatResult(result), { title: `smoke-test ${result.name}` });
        else core.info(foreignLine(formatResult(result)));
      }),
    );
  }

  const report = buildReport({
    baseUrl,
    expectedVersion,
    startedAt,
    durationMs: clock.now() - startedAt,
    checksDurationMs: performance.now() - checksStarted,
    wait: { ready: wait.ready, elapsedMs: wait.elapsedMs, lastState },
    results,
  });
  const reportPath = await writeReport(report);
  setOutputs({ passed: report.passed, failed: report.counts.failed, report: reportPath });
  await reportSummary(report).write();

  if (context.cancelledBy !== undefined) {
    const ran = results.filter((result) => result.detail !== NOT_RUN).length;
    throw new CancelledError(
      `Cancelled (${context.cancelledBy}) ${wait.ready || wait.answered ? `after ${ran} of ${results.length} checks` : 'while waiting for the service'}; ` +
        `partial report written to ${reportPath}`,
      context.cancelledBy,
    );
  }
  if (!wait.ready && !wait.answered) {
    throw new UserError(
      `${baseUrl.href} did not answer within ${formatDuration(timeoutMs)} (${lastState}); ` +
        'check that the service is deployed, its load balancer listener and security group admit this runner, ' +
        'or raise timeout-seconds',
    );
  }
  const failed = results.filter((result) => result.outcome === 'fail').map((result) => result.name);
  if (failed.length > 0) {
    throw new UserError(
      `${failed.length} of ${results.length} smoke checks failed: ${failed.join(', ')} (see the lines above)`,
    );
  }
  core.info(
    `All ${results.length - report.counts.skipped} checks passed (${report.counts.skipped} skipped); report: ${reportPath}`,
  );
}
