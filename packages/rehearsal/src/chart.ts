/** An SVG chart of requests per second by outcome, with the deploy's phases as labelled vertical lines. */
import type { Bucket, Outcome } from './load.js';

export interface Phase {
  label: string;
  /** Seconds from the start of the measurement. */
  atSecond: number;
}

const COLOURS: Record<Outcome, string> = { '2xx': '#2e7d32', 'non-2xx': '#ef6c00', 'connection-error': '#c62828' };
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(options: { title: string; subtitle: string; buckets: Bucket[]; phases: Phase[] }): string {
  const width = 900;
  const height = 420;
  const left = 56;
  const right = 20;
  const top = 64;
  const bottom = 48;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const seconds = Math.max(1, options.buckets.length);
  const peak = Math.max(
    10,
    ...options.buckets.map(
      (bucket) => bucket.counts['2xx'] + bucket.counts['non-2xx'] + bucket.counts['connection-error'],
    ),
  );
  const yMax = Math.ceil(peak / 10) * 10;
  const x = (second: number) => left + (second / seconds) * plotWidth;
  const y = (value: number) => top + plotHeight - (value / yMax) * plotHeight;
  const barWidth = Math.max(1, plotWidth / seconds - 2);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="22" font-size="16" font-weight="bold">${escape(options.title)}</text>`);
  parts.push(`<text x="${left}" y="40" fill="#444">${escape(options.subtitle)}</text>`);
  for (let tick = 0; tick <= yMax; tick += yMax / 5) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`);
  }
  parts.push(
    `<text x="14" y="${top + plotHeight / 2}" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">requests/s</text>`,
  );
  for (const bucket of options.buckets) {
    let base = 0;
    for (const outcome of ['2xx', 'non-2xx', 'connection-error'] as const) {
      const count = bucket.counts[outcome];
      if (count === 0) continue;
      parts.push(
        `<rect x="${x(bucket.second) + 1}" y="${y(base + count)}" width="${barWidth}" height="${y(base) - y(base + count)}" fill="${COLOURS[outcome]}"><title>${bucket.second}s: ${count} ${outcome}</title></rect>`,
      );
      base += count;
    }
  }
  const step = Math.max(1, Math.ceil(seconds / 15));
  for (let second = 0; second <= seconds; second += step) {
    parts.push(`<text x="${x(second)}" y="${top + plotHeight + 16}" text-anchor="middle">${second}s</text>`);
  }
  options.phases.forEach((phase, index) => {
    const at = x(phase.atSecond);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${top}" y2="${top + plotHeight}" stroke="#1565c0" stroke-dasharray="4 3"/>`,
    );
    parts.push(`<text x="${at + 4}" y="${top + 12 + (index % 3) * 14}" fill="#1565c0">${escape(phase.label)}</text>`);
  });
  const legend = (['2xx', 'non-2xx', 'connection-error'] as const).map(
    (outcome, index) =>
      `<rect x="${left + index * 150}" y="${height - 18}" width="10" height="10" fill="${COLOURS[outcome]}"/><text x="${left + index * 150 + 14}" y="${height - 9}">${outcome}</text>`,
  );
  parts.push(...legend);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
