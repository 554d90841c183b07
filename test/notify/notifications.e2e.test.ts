import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { QuestionProSimulator } from '../../src/sim/server.js';
import { runCli, startCli } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/poll.js';
import { startWorker } from '../support/worker-under-test.js';
import { WebhookReceiver, type ReceivedPost } from '../support/webhook-receiver.js';

const KEY = 'notify-key-8e4b2a61-must-not-leak';
const WRONG_KEY = 'wrong-key-1f7c3d95-must-not-leak';
const TOKEN = 'hooktoken7a9c0e2b4d6f8a1c';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `npm run sync` (the built CLI, one process per run, as a CronJob runs it) with
 * NOTIFY_WEBHOOK_URL pointing at a receiver on 127.0.0.1. The database decides what was
 * told, so separate processes tell each change once.
 */
describe('notifications of the one-shot sync', () => {
  let sim: QuestionProSimulator;
  let receiver: WebhookReceiver;
  const databases: TestDatabase[] = [];
  const database = async () => {
    const tdb = await createTestDatabase('notify');
    databases.push(tdb);
    return tdb;
  };
  const env = (tdb: TestDatabase, extra: Record<string, string> = {}) => ({
    QUESTIONPRO_API_KEY: KEY,
    QUESTIONPRO_BASE_URL: sim.baseUrl,
    SYNC_SEGMENTS: '501,502',
    SYNC_SEGMENT_NAMES: '501=Retail EU',
    SYNC_PAGE_SIZE: '50',
    RETRY_ATTEMPTS: '0',
    DATABASE_URL: tdb.url,
    NOTIFY_WEBHOOK_URL: receiver.url(TOKEN),
    ...extra,
  });
  const sync = async (tdb: TestDatabase, extra: Record<string, string> = {}) => (await runCli(['sync'], env(tdb, extra))).code;
  const newPosts = (before: number): ReceivedPost[] => receiver.posts.slice(before);

  beforeAll(async () => {
    sim = await QuestionProSimulator.start({
      apiKey: KEY,
      lists: [
        { segmentId: 501, status: 0, count: 20 },
        { segmentId: 502, status: 0, count: 10 },
      ],
    });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
    for (const tdb of databases) await tdb.close();
  });

  test('when two runs fail alike and then two succeed, with a receiver that answers 500 once, then one message tells each change', async () => {
    const tdb = await database();
    const before = receiver.posts.length;
    receiver.failNext(1);

    expect(await sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY })).toBe(2);
    expect(await sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY })).toBe(2);
    const failing = newPosts(before);
    // The 500 was retried within the run: one message, delivered on the second attempt.
    expect(failing.map((p) => p.answered)).toEqual([500, 200]);
    expect(failing[1]?.body).toMatchObject({
      event: 'lists_failing',
      errorCode: 'API_UNAUTHORIZED',
      service: 'detractor-sync',
      lists: [
        { segmentId: 501, segmentName: 'Retail EU', status: 0, name: 'Retail EU (501) open (0)', errorCode: 'API_UNAUTHORIZED' },
        { segmentId: 502, segmentName: null, status: 0, name: 'segment 502 open (0)', errorCode: 'API_UNAUTHORIZED' },
      ],
    });
    expect(failing[1]?.body['text']).toMatch(
      /^detractor-sync: 2 lists failing: Retail EU \(501\) open \(0\), segment 502 open \(0\)\. API_UNAUTHORIZED: QuestionPro rejected the API key/,
    );
    expect(failing[1]?.body['runId']).toMatch(/^\d+$/);
    expect(failing[1]?.body['requestId']).toEqual(expect.any(String));

    const mid = receiver.posts.length;
    expect(await sync(tdb)).toBe(0);
    expect(await sync(tdb)).toBe(0);
    const recovered = newPosts(mid);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.body).toMatchObject({
      event: 'lists_recovered',
      errorCode: null,
      lists: [{ segmentId: 501 }, { segmentId: 502 }],
    });
    expect(recovered[0]?.body['text']).toBe(
      'detractor-sync: 2 lists syncing again: Retail EU (501) open (0), segment 502 open (0).',
    );

    // No secret in anything the receiver got: the API keys, the webhook's token, the database password.
    const password = decodeURIComponent(new URL(tdb.url).password);
    const secrets = [KEY, WRONG_KEY, TOKEN, ...(password.length >= 4 ? [password] : [])];
    for (const post of newPosts(before)) for (const secret of secrets) expect(post.raw).not.toContain(secret);

    const rows = await tdb.query<{ kind: string; subject: string; notified_state: string; pending_state: string | null }>(
      'SELECT kind, subject, notified_state, pending_state FROM sync_notifications WHERE kind = $1 ORDER BY subject',
      ['list_health'],
    );
    expect(rows).toEqual([
      { kind: 'list_health', subject: '501/0', notified_state: 'ok', pending_state: null },
      { kind: 'list_health', subject: '502/0', notified_state: 'ok', pending_state: null },
    ]);
  });

  test('when the receiver is down or failing, then the exit codes are those of the runs, and the message comes at the next run', async () => {
    const tdb = await database();
    const down = `http://127.0.0.1:${await freePort()}/hooks/${TOKEN}`;
    const before = receiver.posts.length;

    expect(await sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY, NOTIFY_WEBHOOK_URL: down })).toBe(2);
    expect(receiver.posts.length).toBe(before);
    // The failure was not told: this run tells it.
    expect(await sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY })).toBe(2);
    expect(newPosts(before).map((p) => p.body['event'])).toEqual(['lists_failing']);

    // Every attempt answered 500: the run still succeeds, and the recovery waits for the next run.
    const mid = receiver.posts.length;
    receiver.failNext(4);
    expect(await sync(tdb)).toBe(0);
    expect(newPosts(mid).map((p) => p.answered)).toEqual([500, 500, 500, 500]);
    expect(await sync(tdb, { NOTIFY_WEBHOOK_URL: down })).toBe(0);
    expect(await sync(tdb)).toBe(0);
    expect(
      newPosts(mid)
        .filter((p) => p.answered === 200)
        .map((p) => p.body['event']),
    ).toEqual(['lists_recovered']);
    // Five syncs, two of them through the posts' real backoff: a deadline, not a speed.
  }, 240_000);

  test('when a second process finishes the same failing state while the first is telling it, then one message is sent', async () => {
    const tdb = await database();
    const before = receiver.posts.length;
    const release = receiver.holdPosts();
    // The held post must outlast the second sync however slow the machine: no timeout and retry of its own.
    const held = { QUESTIONPRO_API_KEY: WRONG_KEY, SYNC_SEGMENTS: '501', NOTIFY_TIMEOUT_MS: '600000' };
    const first = startCli(['sync'], env(tdb, held));
    try {
      await waitFor(() => Promise.resolve(receiver.waiting === 1 ? true : undefined));
      // The first run is over (it is posting): the second fails on its own and sees the claim.
      expect(await sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY, SYNC_SEGMENTS: '501' })).toBe(2);
      expect(receiver.waiting).toBe(1);
    } finally {
      release();
    }
    expect(await first.exited).toBe(2);
    expect(newPosts(before).map((p) => [p.answered, p.body['event']])).toEqual([[200, 'lists_failing']]);
  }, 180_000);

  test('when two processes finish the same failing state at once, then one message is sent', async () => {
    const tdb = await database();
    const before = receiver.posts.length;
    const codes = await Promise.all([
      sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY, SYNC_SEGMENTS: '501' }),
      sync(tdb, { QUESTIONPRO_API_KEY: WRONG_KEY, SYNC_SEGMENTS: '501' }),
    ]);
    // A refused key is an operator's error (2); one of them may find the list locked by the other: a skip, not a failure.
    expect(codes).toContain(2);
    const posts = newPosts(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ event: 'lists_failing', lists: [{ segmentId: 501 }] });
  });

  test('when the worker runs into a rejected key after the lists went stale, then it tells both, and counts them in /metrics', async () => {
    const tdb = await database();
    expect(await sync(tdb)).toBe(0);
    // Older than the bound of one second below: each list is stale from now on.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const before = receiver.posts.length;
    const worker = await startWorker({
      apiKey: WRONG_KEY,
      baseUrl: sim.baseUrl,
      databaseUrl: tdb.url,
      segments: [501, 502],
      env: { NOTIFY_WEBHOOK_URL: receiver.url(TOKEN), SYNC_STALE_AFTER_SECONDS: '1', SYNC_SEGMENT_NAMES: '501=Retail EU' },
    });
    try {
      await worker.waitForLine((l) => l['msg'] === 'run finished');
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${worker.url}/metrics`)).text();
        return text.includes('detractor_sync_notifications_total{event="lists_stale",outcome="delivered"} 1') ? text : undefined;
      });
      expect(metrics).toContain('detractor_sync_notifications_total{event="lists_failing",outcome="delivered"} 1');
    } finally {
      expect(await worker.stop()).toBe(0);
    }
    const posts = newPosts(before);
    expect(posts.map((p) => p.body['event']).sort()).toEqual(['lists_failing', 'lists_stale']);
    const stale = posts.find((p) => p.body['event'] === 'lists_stale');
    expect(stale?.body['text']).toMatch(
      /^detractor-sync: no successful sync for \d+ s \(limit 1 s\): Retail EU \(501\) open \(0\) \[API_UNAUTHORIZED\]/,
    );
    expect(stale?.body).toMatchObject({
      lists: [
        { segmentId: 501, limitSeconds: 1 },
        { segmentId: 502, limitSeconds: 1 },
      ],
    });
    for (const post of posts) expect(post.raw).not.toContain(WRONG_KEY);
  });

  test('when the allowance runs out on a server that echoes the key as requestID, then one message says so, and the key is not in it', async () => {
    const stingy = await QuestionProSimulator.start({
      apiKey: KEY,
      callAllowance: 2,
      echoKeyAsRequestId: true,
      lists: [{ segmentId: 501, status: 0, count: 40 }],
    });
    try {
      const tdb = await database();
      const before = receiver.posts.length;
      const stingyEnv = { QUESTIONPRO_BASE_URL: stingy.baseUrl, SYNC_SEGMENTS: '501', SYNC_PAGE_SIZE: '5' };
      expect(await sync(tdb, stingyEnv)).toBe(1);
      expect(await sync(tdb, stingyEnv)).toBe(1);
      const posts = newPosts(before);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body).toMatchObject({
        event: 'allowance_exhausted',
        errorCode: 'API_QUOTA_EXHAUSTED',
      });
      expect(posts[0]?.body['text']).toMatch(
        /^detractor-sync: API calls used up, 1 list not syncing: Retail EU \(501\) open \(0\)\. API_QUOTA_EXHAUSTED/,
      );
      expect(posts[0]?.raw).not.toContain(KEY);
    } finally {
      await stingy.close();
    }
  });

  test('when the pace would spend API_CALL_BUDGET before the period ends, then it is told once per period', async () => {
    const tdb = await database();
    const before = receiver.posts.length;
    expect(await sync(tdb, { API_CALL_BUDGET: '20' })).toBe(0);
    expect(await sync(tdb, { API_CALL_BUDGET: '20' })).toBe(0);
    const posts = newPosts(before);
    expect(posts.map((p) => p.body['event'])).toEqual(['budget_forecast_short']);
    expect(posts[0]?.body).toMatchObject({ budget: { budget: 20, period: 'month' }, lists: [], runId: null });
    expect(posts[0]?.body['text']).toMatch(
      /^detractor-sync: the API call budget runs out before the month ends: \d+ calls projected/,
    );
  });
});
