import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readBudgetStatus } from '../../src/budget/budget-status.js';
import { CallLedger, keyFingerprint, type BudgetPeriod } from '../../src/budget/call-ledger.js';
import { SharedLimiter } from '../../src/budget/shared-limiter.js';
import { createDb, type Db } from '../../src/db/prisma.js';
import { captureLogger } from '../support/capture-logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const DAY: BudgetPeriod = { period: 'day', periodStartDay: 1, timezone: 'UTC' };
const log = captureLogger().log;

describe('the call ledger, shared by every process on the database', () => {
  let tdb: TestDatabase;
  let other: Db; // a second process: its own pool
  beforeAll(async () => {
    tdb = await createTestDatabase();
    other = createDb(tdb.url, { max: 2 });
  });
  afterAll(async () => {
    await other.$disconnect();
    await tdb.close();
  });

  test('when the key is stored, then only its fingerprint is: 16 hex digits of its SHA-256', () => {
    expect(keyFingerprint('secret-key')).toMatch(/^[0-9a-f]{16}$/);
    expect(new CallLedger(tdb.db, 'secret-key', log).fingerprint).not.toContain('secret');
  });

  test('when two processes claim calls under one rate window, then together they never get more than the limit', async () => {
    const limits = { perWindow: 5, windowMs: 61_000, budget: undefined, period: DAY };
    const a = new CallLedger(tdb.db, 'rate-key', log);
    const b = new CallLedger(other, 'rate-key', log);
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).claim(limits)));
    expect(claims.filter((c) => c.granted)).toHaveLength(5);
    const waits = claims.filter((c) => !c.granted);
    expect(waits.every((c) => !c.granted && c.reason === 'rate' && c.waitMs > 0 && c.waitMs <= 62_000)).toBe(true);
    // Another key has a window of its own.
    expect(await new CallLedger(other, 'another-key', log).claim(limits)).toEqual({ granted: true });
  });

  test("when a rate slot's second ended exactly a window ago, then it no longer counts; a moment less, and it still does", async () => {
    // The window (61 s) counts from the end of a slot's second: a wait is at most 62 s.
    // The claim at an exact instant: slots of 12:00:00 (their second ends 12:00:01) filled to the limit.
    const fp = keyFingerprint('boundary-key');
    await tdb.query(`INSERT INTO api_rate_slots VALUES ($1, '2026-12-01T12:00:00Z', 5)`, [fp]);
    const claimAt = async (at: string) => {
      const [row] = await tdb.query<{ granted: boolean; wait_ms: number | null }>(
        `SELECT granted, wait_ms FROM detractor_sync_claim_api_call_at($1, 5, 61000, NULL, 'UTC', 'day', 1, $2::timestamptz)`,
        [fp, at],
      );
      return row;
    };
    // 61.999 s after the slot's start, its last call (made at 12:00:00.999) is 61 s old at most: it counts.
    expect(await claimAt('2026-12-01T12:01:01.999Z')).toEqual({ granted: false, wait_ms: 1 });
    // Earlier in the same window: the wait runs until the second has ended a window ago.
    expect(await claimAt('2026-12-01T12:01:01.200Z')).toEqual({ granted: false, wait_ms: 800 });
    // Its second ended a window ago (12:00:01 + 61 s): the window has room again.
    expect(await claimAt('2026-12-01T12:01:02.000Z')).toEqual({ granted: true, wait_ms: 0 });
  });

  test('when the budget of the period is spent, then every further claim is refused, whichever process asks', async () => {
    const limits = { perWindow: undefined, windowMs: 61_000, budget: 3, period: DAY };
    const a = new CallLedger(tdb.db, 'budget-key', log);
    const b = new CallLedger(other, 'budget-key', log);
    const claims = [
      await a.claim(limits),
      await b.claim(limits),
      await a.claim(limits),
      await b.claim(limits),
      await a.claim(limits),
    ];
    expect(claims.map((c) => (c.granted ? 'granted' : c.reason))).toEqual(['granted', 'granted', 'granted', 'budget', 'budget']);
    const limiter = new SharedLimiter(a, limits, log);
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'API_BUDGET_EXHAUSTED', fatal: true });
  });

  test('when a budget setting changes mid-period, then the spending goes on: the same calls counted under the new bounds', async () => {
    const key = 'settings-key';
    const ledger = new CallLedger(tdb.db, key, log);
    const limits = (period: BudgetPeriod) => ({ perWindow: undefined, windowMs: 61_000, budget: 6, period });
    for (let i = 0; i < 4; i++) expect(await ledger.claim(limits(DAY))).toEqual({ granted: true });
    // Another time zone, then a monthly period from another billing day: the calls of today are in all of them.
    const settings: BudgetPeriod[] = [
      { period: 'day', periodStartDay: 1, timezone: 'Pacific/Kiritimati' },
      { period: 'month', periodStartDay: 1, timezone: 'UTC' },
      { period: 'month', periodStartDay: 28, timezone: 'Europe/Berlin' },
    ];
    const now = new Date();
    for (const period of settings) {
      const status = await readBudgetStatus(tdb.db, keyFingerprint(key), 6, period);
      // A day that began less than a few minutes ago (UTC+14 just past midnight) holds fewer: skip that instant.
      if (now.getTime() - status.periodStart.getTime() > 5 * 60_000) expect(status.used).toBe(4);
    }
    const claims = [
      await ledger.claim(limits(settings[1]!)),
      await ledger.claim(limits(settings[2]!)),
      await ledger.claim(limits(DAY)),
    ];
    expect(claims.map((c) => (c.granted ? 'granted' : c.reason))).toEqual(['granted', 'granted', 'budget']);
  });

  test('when outcomes are recorded, then the status counts what was sent and what it got, for this period', async () => {
    const ledger = new CallLedger(tdb.db, 'status-key', log);
    const limits = { perWindow: undefined, windowMs: 61_000, budget: 100, period: DAY };
    for (let i = 0; i < 4; i++) await ledger.claim(limits);
    ['ok', 'ok', 'ok', 'http_429'].forEach((o) => ledger.recordOutcome(o));
    await ledger.flush();

    const status = await readBudgetStatus(tdb.db, ledger.fingerprint, 100, DAY);

    expect(status).toMatchObject({
      budget: 100,
      used: 4,
      remaining: 96,
      period: 'day',
      byOutcome: { sent: 4, ok: 3, http_429: 1 },
    });
    expect(status.periodEnd.getTime() - status.periodStart.getTime()).toBe(86_400_000);
    // The pace: 4 calls over the day so far (at least an hour), projected over the rest of it.
    const hours = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 3_600_000;
    const pace = 4 / Math.max(1, hours(status.periodStart, status.now));
    expect(status.projectedAtPeriodEnd).toBe(Math.round(4 + pace * hours(status.now, status.periodEnd)));
  });
});

describe('budget periods', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb.close());

  const bounds = async (tz: string, period: string, startDay: number, at: string) => {
    const [row] = await tdb.query<{ s: Date; e: Date }>(
      'SELECT period_start AS s, period_end AS e FROM detractor_sync_budget_period($1, $2, $3, $4)',
      [tz, period, startDay, at],
    );
    return [row!.s.toISOString(), row!.e.toISOString()];
  };

  test.each([
    ['UTC', 'day', 1, '2026-11-28T23:59:59Z', '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
    ['Europe/Berlin', 'day', 1, '2026-11-28T23:30:00Z', '2026-11-28T23:00:00.000Z', '2026-11-29T23:00:00.000Z'],
    // The day DST ends in Berlin has 25 hours.
    ['Europe/Berlin', 'day', 1, '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['UTC', 'month', 1, '2026-11-28T12:00:00Z', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    // A billing month starting on the 15th: before the 15th, the period began last month.
    ['UTC', 'month', 15, '2026-11-03T12:00:00Z', '2026-10-15T00:00:00.000Z', '2026-11-15T00:00:00.000Z'],
    ['America/New_York', 'month', 15, '2026-11-15T12:00:00Z', '2026-11-15T05:00:00.000Z', '2026-12-15T05:00:00.000Z'],
  ])(
    'when the zone is %s and the period %s (day %i) at %s, then it runs from %s to %s',
    async (tz, period, startDay, at, start, end) => {
      expect(await bounds(tz, period, startDay, at)).toEqual([start, end]);
    },
  );
});
