import type { Queryable } from './queryable.js';

/**
 * Session-level advisory locks, named by text (hashed to PostgreSQL's 64-bit key): held
 * by the connection that took them, released with it, so a worker killed with -9 holds
 * nothing. Replicas coordinate through them (lists/list.ts names the list locks).
 */
export async function tryAdvisoryLock(q: Queryable, key: string): Promise<boolean> {
  const { rows } = await q.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
  return rows[0]?.locked === true;
}

/** Waits for the lock. */
export async function takeAdvisoryLock(q: Queryable, key: string): Promise<void> {
  await q.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
}

export async function releaseAdvisoryLock(q: Queryable, key: string): Promise<void> {
  await q.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
}
