/**
 * Conditional requests (RFC 9110 §13): whether a client's cached copy, named by If-None-Match, is
 * still the one we would send. Pure.
 *
 * @example
 * etagMatches('W/"a", "b"', '"b"') // true
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}
