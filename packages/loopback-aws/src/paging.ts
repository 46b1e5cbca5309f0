import { AwsError } from './errors.js';

/** One page of `items` and the token for the next, as the List and Describe APIs page. */
export function paginate<T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limit = 100,
): { page: T[]; nextToken?: string } {
  const start = nextToken ? Number(Buffer.from(nextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidParameterException', 'Invalid nextToken.');
  const size = Math.min(maxResults ?? limit, limit);
  if (size < 1) throw new AwsError('InvalidParameterException', `maxResults must be between 1 and ${limit}.`);
  const end = start + size;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}
