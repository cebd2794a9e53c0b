/**
 * Checking a user name and password, for login and for minting a long token: throttled per
 * account name and per client address (login-throttle.ts), and as slow for a name that does not
 * exist as for one that does, so that neither guessing nor timing tells which names are real.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { clearThrottle, lockThrottleRows, setThrottleRow, sweepThrottle, takeBackFailure } from '#db/sql/login-throttle.js';
import { findActiveUser, type UserRow } from '#db/sql/users.js';
import { countingFailures, secondsUntilNextAttempt, type LoginThrottlePolicy } from './login-throttle.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type CredentialCheck =
  | { outcome: 'ok'; user: Omit<UserRow, 'password_hash'> }
  | { outcome: 'wrong' }
  | { outcome: 'throttled'; retryAfterS: number };

export interface ThrottlePolicies {
  account: LoginThrottlePolicy;
  address: LoginThrottlePolicy;
}

/**
 * A hash of a random password with the current parameters, made once: an unknown name is checked
 * against it, so its answer takes as long as a real account's (65-80 ms, not 2-3 ms).
 */
let decoyHash: Promise<string> | null = null;
const decoy = () => (decoyHash ??= hashPassword(randomBytes(24).toString('base64url')));

export const accountKey = (username: string) => `account:${username}`;
export const addressKey = (address: string) => `address:${address}`;

/**
 * Reserves one attempt for the account name and the address: refused while either must wait,
 * else counted as a failure in advance (so attempts sent at once see each other), to be taken
 * back if the password is right.
 */
async function reserveAttempt(pool: pg.Pool, keys: { account: string; address: string }, policies: ThrottlePolicies): Promise<number> {
  return inTransaction(pool, async (client) => {
    const { now, rows } = await lockThrottleRows(client, [keys.account, keys.address]);
    const scoped = [[keys.account, policies.account], [keys.address, policies.address]] as const;
    const wait = Math.max(...scoped.map(([key, policy]) => secondsUntilNextAttempt(rows.get(key)!, now, policy)));
    if (wait > 0) return wait;
    for (const [key, policy] of scoped) {
      await setThrottleRow(client, { key, failures: countingFailures(rows.get(key)!, now, policy) + 1, lastFailureAt: now });
    }
    return 0;
  });
}

/** Checks `password` for `username` asked from `address`. */
export async function checkCredentials(pool: pg.Pool, username: string, password: string, address: string, policies: ThrottlePolicies): Promise<CredentialCheck> {
  const keys = { account: accountKey(username), address: addressKey(address) };
  const wait = await reserveAttempt(pool, keys, policies);
  if (wait > 0) return { outcome: 'throttled', retryAfterS: wait };
  const user = await findActiveUser(pool, username);
  // Hash even when there is no such user: the time taken must not tell.
  const matches = await verifyPassword(password, user?.password_hash ?? (await decoy()));
  if (!user || !matches) return { outcome: 'wrong' };
  await clearThrottle(pool, keys.account);
  // Only this attempt's failure is taken back from the address: a valid login of one's own must
  // not buy more guesses at other accounts.
  await takeBackFailure(pool, keys.address);
  const { password_hash: _hash, ...safe } = user;
  return { outcome: 'ok', user: safe };
}

/** Removes counts no longer remembered (their last failure is older than either policy forgets). */
export function forgetOldFailures(pool: pg.Pool, policies: ThrottlePolicies): Promise<number> {
  return sweepThrottle(pool, Math.max(policies.account.forgetAfterS, policies.address.forgetAfterS));
}
