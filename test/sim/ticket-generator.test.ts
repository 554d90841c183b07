import { formatVendorTimestamp, generateTickets, type SimTicket } from '../../src/sim/ticket-generator.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$/;

/** The instant a vendor timestamp denotes, computed by hand: Date.parse needs a colon in the offset. */
function instantOf(timestamp: string): number {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) throw new Error(`not a vendor timestamp: ${timestamp}`);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, oh = 0, om = 0] = [1, 2, 3, 4, 5, 6, 7, 9, 10].map((i) => Number(m[i]));
  const offsetMs = (oh * 60 + om) * 60_000 * (m[8] === '-' ? -1 : 1);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMs;
}

const lists: SimTicket[][] = [101, 102, 103].map((segment) => generateTickets(7, segment, 0, 250));
const all = lists.flat();

describe('ticket generator', () => {
  it('when called twice with the same inputs, then it returns identical tickets', () => {
    expect(generateTickets(7, 101, 0, 50)).toEqual(generateTickets(7, 101, 0, 50));
  });

  it('when the seed differs, then the tickets differ', () => {
    expect(generateTickets(8, 101, 0, 50)).not.toEqual(generateTickets(7, 101, 0, 50));
  });

  it('when the list grows by k, then the k new tickets come first and the rest is unchanged', () => {
    const grown = generateTickets(7, 101, 0, 255);
    expect(grown.slice(5)).toEqual(generateTickets(7, 101, 0, 250));
    expect(instantOf(grown[0]!.timestamp)).toBeGreaterThan(instantOf(grown[5]!.timestamp));
  });

  it('when a list is generated, then it is ordered newest first', () => {
    const instants = lists[0]!.map((t) => instantOf(t.timestamp));
    expect(instants).toEqual([...instants].sort((a, b) => b - a));
  });

  it('when lists of several segments and statuses are generated, then every ticketID and responseID is unique and below 2^53', () => {
    const more = [...all, ...generateTickets(7, 101, 1, 250), ...generateTickets(7, 9_000_000, 999, 3)];
    const ids = more.map((t) => t.ticketID);
    const responseIds = more.map((t) => t.responseID);
    expect(new Set(ids).size).toBe(more.length);
    expect(new Set(responseIds).size).toBe(more.length);
    for (const id of [...ids, ...responseIds]) expect(Number.isSafeInteger(id)).toBe(true);
  });

  it('when inputs would overflow the ID layout, then it refuses with a RangeError', () => {
    expect(() => generateTickets(7, 9_000_001, 0, 1)).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 1000, 1)).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 0, 500_001)).toThrow(RangeError);
  });

  it('when tickets are generated, then each has exactly the documented fields and types', () => {
    for (const t of all) {
      expect(Object.keys(t).sort()).toEqual(
        ['comment', 'emailAddress', 'phoneNumber', 'rating', 'responseID', 'ticketID', 'timelimit', 'timestamp'],
      );
      expect(typeof t.rating).toBe('string');
      expect(Number.isInteger(t.timelimit)).toBe(true);
    }
  });

  it('when 750 tickets are generated, then ratings cover "0".."6" and the empty string, and nothing else', () => {
    expect(new Set(all.map((t) => t.rating))).toEqual(new Set(['', '0', '1', '2', '3', '4', '5', '6']));
  });

  it('when 750 tickets are generated, then emails are valid or empty and phones mostly empty', () => {
    const emails = all.map((t) => t.emailAddress);
    expect(emails).toContain('');
    for (const e of emails.filter(Boolean)) expect(e).toMatch(/^[a-z0-9.+]+@[a-z0-9.-]+\.[a-z]+$/);
    const phones = all.map((t) => t.phoneNumber).filter(Boolean);
    expect(phones.length).toBeGreaterThan(0);
    expect(phones.length).toBeLessThan(all.length / 2);
    for (const p of phones) expect(p).toMatch(/^\+1 555 01\d\d$/);
  });

  it('when 750 tickets are generated, then comments include emoji, non-ASCII, quotes and a ~5 kB one', () => {
    const comments = all.map((t) => t.comment);
    expect(comments.some((c) => /\p{Extended_Pictographic}/u.test(c))).toBe(true);
    expect(comments.some((c) => /[^\x00-\x7f]/.test(c) && !/\p{Extended_Pictographic}/u.test(c))).toBe(true);
    expect(comments.some((c) => c.includes('"'))).toBe(true);
    expect(comments.some((c) => c.includes("'"))).toBe(true);
    expect(comments.some((c) => Buffer.byteLength(c) >= 5000)).toBe(true);
  });

  it('when 750 tickets are generated, then timelimits are 72 mostly, and some 24 and 48', () => {
    const limits = all.map((t) => t.timelimit);
    expect(new Set(limits)).toEqual(new Set([24, 48, 72]));
    expect(limits.filter((l) => l === 72).length).toBeGreaterThan(all.length / 2);
  });

  it('when 750 tickets are generated, then timestamps use the vendor format, mostly +0000 with +0530, -0700 and +0100 too', () => {
    const offsets = all.map((t) => {
      expect(t.timestamp).toMatch(TIMESTAMP);
      return t.timestamp.slice(-5);
    });
    expect(new Set(offsets)).toEqual(new Set(['+0000', '+0530', '-0700', '+0100']));
    expect(offsets.filter((o) => o === '+0000').length).toBeGreaterThan(all.length / 2);
  });

  it('when a timestamp is formatted for an offset, then it writes the local time at that offset', () => {
    const instant = Date.UTC(2020, 0, 14, 12, 51, 48);
    expect(formatVendorTimestamp(instant, 0)).toBe('2020-01-14T12:51:48.000+0000');
    expect(formatVendorTimestamp(instant, 330)).toBe('2020-01-14T18:21:48.000+0530');
    expect(formatVendorTimestamp(instant, -420)).toBe('2020-01-14T05:51:48.000-0700');
    expect(instantOf(formatVendorTimestamp(instant, -420))).toBe(instant);
  });
});
