import { describe, expect, test } from '@jest/globals';
import { bar, duration, endedListLine, listLine, listProgressLabel, overallLine } from '../../src/terminal/progress-text.js';

const names = { segments: new Map([[101, 'Retail EU']]), statuses: new Map([[0, 'open']]) };

describe('the progress lines', () => {
  test('when a list has names, then name and code are shown together; without, the code is named', () => {
    expect(listProgressLabel({ segmentId: 101, status: 0 }, names)).toBe('Retail EU (101) · open (0)');
    expect(listProgressLabel({ segmentId: 7, status: 3 }, names)).toBe('segment 7 · status 3');
  });

  test('when a bar is drawn, then it fills in proportion and stays empty while the total is unknown', () => {
    expect(bar(5, 10, 10)).toBe('█████░░░░░');
    expect(bar(5, null, 4)).toBe('░░░░');
    expect(bar(50, 10, 4)).toBe('████');
  });

  test('when a time is shown, then it reads as hours, minutes and seconds', () => {
    expect(duration(42)).toBe('42s');
    expect(duration(95)).toBe('1m 35s');
    expect(duration(3700)).toBe('1h 1m 40s');
  });

  test('when a list reads, then its line says pages of the announced total, tickets, calls and state', () => {
    const line = listLine(
      { label: 'Retail EU (101) · open (0)', state: 'reading', pagesRead: 12, pagesAnnounced: 280, tickets: 1200, calls: 13 },
      30,
    );
    expect(line).toMatch(/^Retail EU \(101\) · open \(0\) +█░+ +12\/280 pages +1,200 tickets +13 calls +reading$/);
  });

  test('when the run is under way, then the overall line has pages, calls of the budget and an ETA', () => {
    const snapshot = { lists: [], pagesDone: 120, pagesExpected: 560, listsWaiting: 2, calls: 125, etaSeconds: 106 };
    expect(overallLine(snapshot, 10, '20,000 a month')).toMatch(
      /^all lists +█+░+ 120\/560 pages \(\+2 list\(s\) not begun\) · 125 calls \(budget 20,000 a month\) · ETA 1m 46s$/,
    );
    expect(overallLine({ ...snapshot, etaSeconds: null }, 10, null)).toMatch(/· 125 calls · ETA …$/);
  });

  test('when a list ends where nothing is redrawn, then one line says how', () => {
    const line = {
      label: 'segment 7 · status 3',
      state: 'done' as const,
      pagesRead: 3,
      pagesAnnounced: 3,
      tickets: 250,
      calls: 3,
    };
    expect(endedListLine(line)).toBe('segment 7 · status 3: done, 3/3 pages, 250 tickets, 3 calls');
  });
});
