import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { postWebhook, WebhookError } from '../../src/notify/webhook.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const FAST = { minDelayMs: 1, retries: 3 };

describe('posting to a webhook', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  test('when the receiver answers 500 once, then the second attempt delivers the same JSON', async () => {
    const before = receiver.posts.length;
    receiver.failNext(1);
    const attempts = await postWebhook(receiver.url(), JSON.stringify({ text: 'hi' }), FAST);
    const posts = receiver.posts.slice(before);
    expect(attempts).toBe(2);
    expect(posts.map((p) => p.answered)).toEqual([500, 200]);
    expect(posts[1]).toMatchObject({
      contentType: 'application/json',
      body: { text: 'hi' },
      path: '/hooks/hooktoken0123456789abcdef',
    });
  });

  test('when the receiver answers 429, then it is retried too', async () => {
    receiver.failNext(2, 429);
    await expect(postWebhook(receiver.url(), '{}', FAST)).resolves.toBe(3);
  });

  test('when the receiver refuses the post (404: a revoked hook), then it is not retried', async () => {
    const before = receiver.posts.length;
    receiver.failNext(1, 404);
    const error = await postWebhook(receiver.url(), '{}', FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toMatchObject({ httpStatus: 404, attempts: 1, message: 'the webhook answered HTTP 404' });
    expect(receiver.posts.length - before).toBe(1);
  });

  test('when the receiver keeps failing, then it gives up after its retries with an error naming no part of the URL', async () => {
    receiver.failNext(4);
    const error = (await postWebhook(receiver.url(), '{}', FAST).catch((e: unknown) => e)) as WebhookError;
    expect(error).toMatchObject({ httpStatus: 500, attempts: 4 });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('hooktoken');
  });

  test('when nothing listens, then it fails as a network error, with no part of the URL in the message', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const error = (await postWebhook(`http://127.0.0.1:${port}/hooks/hooktoken0123456789abcdef`, '{}', FAST).catch(
      (e: unknown) => e,
    )) as WebhookError;
    expect(error).toBeInstanceOf(WebhookError);
    expect(error.message).toBe('no answer from the webhook (ECONNREFUSED)');
    expect(error.attempts).toBe(4);
  });

  test('when the process is stopping, then no further attempt is made after a failure', async () => {
    const before = receiver.posts.length;
    receiver.failNext(1);
    const stopping = AbortSignal.abort();
    await expect(postWebhook(receiver.url(), '{}', { ...FAST, signal: stopping })).rejects.toMatchObject({ attempts: 1 });
    expect(receiver.posts.length - before).toBe(1);
  });
});
