import * as core from '@actions/core';

const MASK = '***';

/**
 * The webhook URL and the bot token, masked in the runner's log and removed from every message this
 * action builds from outside text (fetch errors quote the URL, Slack error bodies could echo it).
 * The runner's mask only applies on a runner; the local rehearsal and tests see raw output, so we
 * redact ourselves too.
 */
export class Secrets {
  private readonly values: string[] = [];

  /** Masks `value` and, for a URL, its path and last segment (the part of a webhook URL that is the secret). */
  add(value: string | undefined): void {
    if (!value) return;
    const parts = [value];
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url) {
      parts.push(url.href);
      if (url.pathname.length > 1) parts.push(url.pathname);
      const lastSegment = url.pathname.split('/').filter(Boolean).at(-1);
      // Short segments ("api", "hook") would mask ordinary words all over the log.
      if (lastSegment && lastSegment.length >= 8) parts.push(lastSegment);
      if (url.search.length > 1) parts.push(url.search.slice(1));
    }
    for (const part of new Set(parts)) {
      core.setSecret(part);
      this.values.push(part);
    }
    // Longest first, so a URL is replaced whole before its path would leave the host and a mask behind.
    this.values.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let result = text;
    for (const value of this.values) result = result.split(value).join(MASK);
    return result;
  }
}
