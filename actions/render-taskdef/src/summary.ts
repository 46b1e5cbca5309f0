import { JobSummary, code, escapeHtml, parseImageReference, shortDigest } from '@ecs-actions/action-kit';
import type { RunningRevision } from './ecs.js';
import type { Rendered } from './render.js';

export interface SummaryFacts {
  source: string;
  path: string;
  rendered: Rendered;
  /** Set when cluster and service were given. */
  running?: RunningRevision;
  diff: string;
}

/** The five-second summary: what was rendered from what, each container's image, and what changes. */
export function buildSummary({ source, path, rendered, running, diff }: SummaryFacts): JobSummary {
  const { taskDefinition } = rendered;
  const summary = new JobSummary().heading(`Task definition ${taskDefinition.family}`);
  const facts: Array<[string, string]> = [
    ['Source', escapeHtml(source)],
    ['Size', escapeHtml(`cpu ${taskDefinition.cpu ?? '-'}, memory ${taskDefinition.memory ?? '-'} MiB`)],
    ['File', code(path)],
  ];
  if (rendered.target !== undefined) facts.push(['Settings applied to', code(rendered.target)]);
  if (running !== undefined) {
    facts.push([
      'Compared with',
      running.found
        ? `${code(running.revision.name)}: ${diff === '' ? 'no change' : countChanges(diff)}`
        : escapeHtml(`nothing: ${running.reason}`),
    ]);
  }
  summary.facts(facts);
  summary.table(
    ['Container', 'Image', 'Digest'],
    Object.entries(rendered.images).map(([container, image]) => {
      const digest = parseImageReference(image)?.digest;
      return [code(container), code(image), digest ? code(shortDigest(digest)) : '<b>not pinned</b>'];
    }),
  );
  if (diff !== '' && running?.found) {
    summary.details(
      `Diff against ${running.revision.name}`,
      `\n\n<pre lang="diff"><code>${escapeHtml(diff)}</code></pre>\n\n`,
    );
  }
  return summary;
}

function countChanges(diff: string): string {
  // The first two lines are the --- and +++ headers.
  const lines = diff.split('\n').slice(2);
  const added = lines.filter((line) => line.startsWith('+')).length;
  const removed = lines.filter((line) => line.startsWith('-')).length;
  return `${added} ${added === 1 ? 'line' : 'lines'} added, ${removed} removed`;
}

export async function writeSummary(facts: SummaryFacts): Promise<void> {
  await buildSummary(facts).write();
}
