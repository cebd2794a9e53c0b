/**
 * `items.map(fn)` with at most `limit` calls in flight, results in the order of `items`. For work
 * that waits on GDAL's or sharp's own threads (reads, image encoding): a few in flight keep both
 * cores busy, while an unbounded Promise.all would hold every item's pixels at once. The first
 * failure rejects the whole map; calls not yet started are not started.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`mapBounded: limit must be a whole number >= 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  // The first failure, kept until every lane has ended; lanes themselves never reject.
  let failure = null as { error: unknown } | null;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // Every lane is awaited before the map settles, so no call is still running after a rejection.
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
  return results;
}
