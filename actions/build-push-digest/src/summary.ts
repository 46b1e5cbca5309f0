import { JobSummary, code, errorMessage, escapeHtml } from '@ecs-actions/action-kit';
import type { Revision } from './build.js';
import type { PushedImage, Repository } from './ecr.js';

export interface PushedReport {
  repository: Repository;
  references: string[];
  image: PushedImage;
  revision: Revision;
  platforms: string[];
}

/** What a reviewer checks in five seconds: which repository, which tags, which digest, how big, when. */
export function pushedSummary(report: PushedReport): JobSummary {
  const { repository, image } = report;
  return new JobSummary()
    .heading('Image pushed to ECR')
    .facts([
      ['Repository', code(repository.uri) + (repository.created ? ' (created by this run)' : '')],
      ['Tags', report.references.map(code).join('<br>')],
      ['Digest', code(image.digest)],
      ['Size', image.sizeInBytes === undefined ? 'unknown' : formatSize(image.sizeInBytes)],
      ['Pushed at', image.pushedAt ? escapeHtml(image.pushedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')) : 'unknown'],
      ['Commit', code(report.revision.sha.slice(0, 7))],
      ...(report.platforms.length ? [['Platforms', escapeHtml(report.platforms.join(', '))] as [string, string]] : []),
    ]);
}

export function builtOnlySummary(repository: string, references: string[], revision: Revision): JobSummary {
  return new JobSummary().heading('Image built, not pushed').facts([
    ['Repository', `${code(repository)} (push: false, nothing was sent to ECR)`],
    ['Tags', references.map(code).join('<br>')],
    ['Commit', code(revision.sha.slice(0, 7))],
  ]);
}

export function failedSummary(repository: string, error: unknown): JobSummary {
  return new JobSummary().heading('Image build or push failed').facts([
    ['Repository', code(repository)],
    ['Error', escapeHtml(errorMessage(error))],
  ]);
}

/** ECR reports the compressed size of the layers, in bytes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
