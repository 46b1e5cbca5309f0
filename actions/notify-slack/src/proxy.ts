import * as core from '@actions/core';
import http from 'node:http';

type SetGlobalProxyFromEnv = (env: NodeJS.ProcessEnv) => () => void;

/**
 * Self-hosted runners behind a corporate proxy set HTTPS_PROXY and NO_PROXY, which Node's fetch ignores unless
 * told to use them. Returns what restores the previous agents, or undefined when no proxy is set.
 */
export function useProxyFromEnv(env: NodeJS.ProcessEnv): (() => void) | undefined {
  const variable = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].find((name) => env[name]);
  if (variable === undefined) return undefined;
  const setGlobalProxyFromEnv = (http as { setGlobalProxyFromEnv?: SetGlobalProxyFromEnv }).setGlobalProxyFromEnv;
  if (typeof setGlobalProxyFromEnv !== 'function') {
    core.warning(`${variable} is set but this Node.js cannot apply it to fetch; Slack is called directly`);
    return undefined;
  }
  // The proxy URL is not printed: it may carry credentials.
  core.info(`Using the proxy from ${variable} (hosts in NO_PROXY are called directly)`);
  return setGlobalProxyFromEnv(env);
}
