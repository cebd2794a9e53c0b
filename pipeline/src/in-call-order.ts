/**
 * Wraps an async writer so that its calls run one after another, in the order they were made.
 * Progress reports need it: raise draws several candidates at once, and two reports racing to
 * Redis and PostgreSQL could land late-first, sending a progress bar backwards. A failed call
 * rejects only its own caller; later calls still run.
 */
export function inCallOrder<T>(write: (value: T) => Promise<void>): (value: T) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (value: T) => {
    const mine = last.then(() => write(value));
    // The next call waits for this one to end, whether it succeeded or not.
    last = mine.catch(() => undefined);
    return mine;
  };
}
