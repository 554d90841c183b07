import { describe, expect, test } from '@jest/globals';
import { RunProgress } from '../../src/terminal/run-progress.js';

const A = { segmentId: 101, status: 0, label: 'Retail EU (101) · open (0)' };
const B = { segmentId: 102, status: 0, label: 'segment 102 · status 0' };
const page = (totalPages: number, items = 100) => ({ totalPages, items, calls: 1 });

describe('where a run stands', () => {
  test('when a list reads pages, then it shows pages read of the pages the server announced, tickets and calls', () => {
    const progress = new RunProgress([A, B], 300);
    progress.phase(A, 'reading');
    progress.page(A, page(50));
    progress.page(A, { totalPages: 50, items: 100, calls: 2 });
    const [a, b] = progress.snapshot().lists;
    expect(a).toEqual({ label: A.label, state: 'reading', pagesRead: 2, pagesAnnounced: 50, tickets: 200, calls: 3 });
    expect(b).toMatchObject({ state: 'waiting', pagesRead: 0, pagesAnnounced: null });
    expect(progress.snapshot()).toMatchObject({ pagesDone: 2, pagesExpected: 50, listsWaiting: 1 });
  });

  test('when a list is verified by a second pass, then the pass counts its own pages and its tickets are not counted twice', () => {
    const progress = new RunProgress([A], 300);
    progress.phase(A, 'reading');
    for (let i = 0; i < 3; i++) progress.page(A, page(3));
    progress.phase(A, 'verifying');
    progress.page(A, page(3));
    expect(progress.snapshot().lists[0]).toMatchObject({ state: 'verifying', pagesRead: 1, pagesAnnounced: 3, tickets: 300 });
    expect(progress.snapshot()).toMatchObject({ pagesDone: 4, pagesExpected: 6 });
  });

  test('when a list is probed, then the pages of the whole list are not counted as still to read', () => {
    const progress = new RunProgress([A], 300);
    progress.phase(A, 'probing');
    progress.page(A, page(280));
    expect(progress.snapshot()).toMatchObject({ pagesDone: 1, pagesExpected: 1, etaSeconds: 0 });
  });

  test('when lists end, then each shows how: done, deferred by the budget, failed', () => {
    const progress = new RunProgress([A, B], 300);
    progress.end(A, 'succeeded', false);
    progress.end(B, 'skipped', true);
    expect(progress.snapshot().lists.map((l) => l.state)).toEqual(['done', 'deferred']);
    progress.end(B, 'aborted', false);
    expect(progress.snapshot().lists[1]!.state).toBe('failed');
  });

  test('when pages remain, then the ETA follows the rate limit, or the pace measured when that is slower', () => {
    let now = 0;
    const progress = new RunProgress([A], 60, () => now);
    progress.phase(A, 'reading');
    progress.page(A, page(121));
    // 120 pages left at 60 calls a minute: two minutes.
    expect(progress.snapshot().etaSeconds).toBe(120);
    for (let i = 0; i < 10; i++) {
      now += 3000;
      progress.page(A, page(121));
    }
    // 3 s a page measured over 10 pages, 110 left: slower than the rate limit.
    expect(progress.snapshot().etaSeconds).toBeCloseTo(330);
  });

  test('when calls are sent, then every attempt counts, retries included', () => {
    const progress = new RunProgress([A], 300);
    progress.callSent();
    progress.callSent();
    expect(progress.snapshot().calls).toBe(2);
  });
});
