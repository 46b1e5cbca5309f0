import * as core from '@actions/core';

export type Cell = string | { data: string; header?: boolean };

/**
 * A small builder over `core.summary` for the five-second job summary every action writes:
 * a heading, key/value facts, tables and collapsed details.
 */
export class JobSummary {
  private readonly summary = core.summary.emptyBuffer();

  heading(text: string, level: 1 | 2 | 3 = 2): this {
    this.summary.addHeading(text, level);
    return this;
  }

  paragraph(text: string): this {
    this.summary.addRaw(`<p>${text}</p>`, true);
    return this;
  }

  /** A two-column table of facts: what was deployed, where, result. */
  facts(rows: Array<[string, string]>): this {
    return this.table(
      ['', ''],
      rows.map(([label, value]) => [`<b>${escapeHtml(label)}</b>`, value]),
      { headerless: true },
    );
  }

  table(headers: string[], rows: string[][], options: { headerless?: boolean } = {}): this {
    const body: Cell[][] = rows.map((row) => row.map((data) => ({ data })));
    const header: Cell[][] = options.headerless ? [] : [headers.map((data) => ({ data, header: true }))];
    this.summary.addTable([...header, ...body] as Parameters<typeof core.summary.addTable>[0]);
    return this;
  }

  details(label: string, content: string): this {
    this.summary.addDetails(escapeHtml(label), content);
    return this;
  }

  code(text: string, lang?: string): this {
    this.summary.addCodeBlock(text, lang);
    return this;
  }

  /** A Mermaid diagram as a fenced block, which GitHub renders in job summaries (an HTML <pre> it would not). */
  mermaid(diagram: string): this {
    this.summary.addRaw(`\n\n\`\`\`mermaid\n${diagram.replace(/`/g, "'")}\n\`\`\`\n\n`);
    return this;
  }

  list(items: string[]): this {
    this.summary.addList(items);
    return this;
  }

  toString(): string {
    return this.summary.stringify();
  }

  /** Appends to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) it only logs at debug level. */
  async write(): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) {
      core.debug('GITHUB_STEP_SUMMARY is not set; job summary not written');
      return;
    }
    await this.summary.write();
    this.summary.emptyBuffer();
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);
}

export function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

export function link(text: string, url: string): string {
  return `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`;
}
