import {
  endlessTicket,
  formatVendorTimestamp,
  generateTickets,
  vendorTimestampMs,
  type SimTicket,
} from '../../src/sim/ticket-generator.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$/;

/** The instant a vendor timestamp denotes, computed by hand: Date.parse needs a colon in the offset. */
function instantOf(timestamp: string): number {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) throw new Error(`not a vendor timestamp: ${timestamp}`);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, oh = 0, om = 0] = [1, 2, 3, 4, 5, 6, 7, 9, 10].map((i) =>
    Number(m[i]),
  );
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
    const endless = Array.from({ length: 500 }, (_, n) => endlessTicket(7, n));
    const more = [...all, ...generateTickets(7, 101, 1, 250), ...generateTickets(7, 3_000_000, 999, 3), ...endless];
    const ids = more.map((t) => t.ticketID);
    const responseIds = more.map((t) => t.responseID);
    expect(new Set([...ids, ...responseIds]).size).toBe(2 * more.length);
    for (const id of [...ids, ...responseIds]) expect(Number.isSafeInteger(id)).toBe(true);
  });

  it('when the first ticket of segment 101 status 0 is generated, then its IDs are the documented ones', () => {
    // The example queries of docs/data-model.md and tests name this ticket: the layout must not move it.
    expect(generateTickets(7, 101, 0, 1)[0]).toMatchObject({ ticketID: 101_000_000_001, responseID: 5_000_101_000_000_001 });
  });

  it('when a list of 1M tickets is generated at the top of the layout, then its IDs stay in its own slots and below 2^53', () => {
    const big = generateTickets(7, 3_000_000, 998, 1_000_000);
    const base = 3_000_000 * 1e9 + 998 * 1e6;
    expect(big).toHaveLength(1_000_000);
    expect([big.at(-1)!.ticketID, big[0]!.ticketID]).toEqual([base + 1, base + 1_000_000]);
    const ids = new Set(big.map((t) => t.ticketID));
    const responseIds = new Set(big.map((t) => t.responseID));
    expect([ids.size, responseIds.size]).toEqual([1_000_000, 1_000_000]);
    const neighbours = [...generateTickets(7, 3_000_000, 999, 5), ...generateTickets(7, 3_000_000, 997, 5), endlessTicket(7, 0)];
    for (const t of neighbours) {
      expect(ids.has(t.ticketID) || responseIds.has(t.responseID) || responseIds.has(t.ticketID)).toBe(false);
    }
    // The newest ticket of the top list and the last endless ticket hold the highest IDs there are.
    expect(big[0]!.responseID).toBeLessThan(2 ** 53);
    expect(endlessTicket(7, 998_999_999_999_999).responseID).toBeLessThan(2 ** 53);
  });

  it('when endless tickets are generated, then they are distinct, stable and shaped like list tickets', () => {
    const endless = Array.from({ length: 300 }, (_, n) => endlessTicket(7, n));
    expect(new Set(endless.map((t) => t.ticketID)).size).toBe(300);
    expect(endlessTicket(7, 42)).toEqual(endless[42]);
    expect(endlessTicket(8, 42)).not.toEqual(endless[42]);
    for (const t of endless) expect(Object.keys(t).sort()).toEqual(Object.keys(all[0]!).sort());
    expect(endless.some((t) => Buffer.byteLength(t.comment) >= 5000)).toBe(true);
  });

  it('when a list is dated from another instant, then only its timestamps move, into their slots', () => {
    const dating = { createdFrom: Date.UTC(2031, 4, 6, 7, 0, 0), spacingMs: 25 * 60_000 };
    const dated = generateTickets(7, 101, 0, 250, dating);
    const strip = (t: SimTicket) => ({ ...t, timestamp: '' });
    expect(dated.map(strip)).toEqual(lists[0]!.map(strip));
    dated.forEach((t, i) => {
      const slot = dating.createdFrom + (250 - 1 - i) * dating.spacingMs; // newest first
      expect(vendorTimestampMs(t.timestamp)).toBeGreaterThanOrEqual(slot);
      expect(vendorTimestampMs(t.timestamp)).toBeLessThan(slot + dating.spacingMs);
      expect(t.timestamp).toMatch(TIMESTAMP);
    });
    expect(generateTickets(7, 101, 0, 255, dating).slice(5)).toEqual(dated);
  });

  it('when a dating is not whole seconds or leaves the four-digit years, then it refuses with a RangeError', () => {
    expect(() => generateTickets(7, 101, 0, 1, { createdFrom: 0, spacingMs: 1500 })).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 0, 1, { createdFrom: -1, spacingMs: 1000 })).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 0, 1, { createdFrom: Date.UTC(9999, 11, 31), spacingMs: 1000 })).toThrow(RangeError);
  });

  it('when a generated timestamp is read back, then it is the instant that was formatted', () => {
    const instant = Date.UTC(2020, 0, 14, 12, 51, 48, 7);
    for (const offset of [0, 330, -420, 60]) expect(vendorTimestampMs(formatVendorTimestamp(instant, offset))).toBe(instant);
    expect(() => vendorTimestampMs('2020-01-14T12:51:48Z')).toThrow(RangeError);
  });

  it('when inputs would overflow the ID layout, then it refuses with a RangeError', () => {
    expect(() => generateTickets(7, 3_000_001, 0, 1)).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 1000, 1)).toThrow(RangeError);
    expect(() => generateTickets(7, 101, 0, 1_000_001)).toThrow(RangeError);
    expect(() => endlessTicket(7, 999_000_000_000_000)).toThrow(RangeError);
  });

  it('when tickets are generated, then each has exactly the documented fields and types', () => {
    for (const t of all) {
      expect(Object.keys(t).sort()).toEqual([
        'comment',
        'emailAddress',
        'phoneNumber',
        'rating',
        'responseID',
        'ticketID',
        'timelimit',
        'timestamp',
      ]);
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
    expect(comments.some((c) => /[^\p{ASCII}]/u.test(c) && !/\p{Extended_Pictographic}/u.test(c))).toBe(true);
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

  it('when timestamps are formatted across four centuries and all offsets, then they agree with Date', () => {
    // Date#toISOString is the reference; the formatter does the calendar by hand for speed.
    const viaDate = (ms: number, offset: number): string => {
      const abs = Math.abs(offset);
      const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
      return `${new Date(ms + offset * 60_000).toISOString().slice(0, 23)}${offset < 0 ? '-' : '+'}${hhmm}`;
    };
    const from = Date.UTC(1900, 0, 1);
    const step = Math.floor((Date.UTC(2300, 0, 1) - from) / 20_000) + 7_919; // not a whole day, so times of day vary
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const ms = from + i * step + (i % 1000);
      const offset = ((i * 37) % 1681) - 840;
      const [mine, reference] = [formatVendorTimestamp(ms, offset), viaDate(ms, offset)];
      if (mine !== reference) mismatches.push(`${mine} != ${reference}`);
    }
    expect(mismatches).toEqual([]);
    expect(formatVendorTimestamp(Date.UTC(2024, 1, 29, 23, 59, 59, 999), 1)).toBe('2024-03-01T00:00:59.999+0001');
  });
});
