import { createTask, parse } from 'node-cron';

const MINUTE_MS = 60_000;
const MONTH_MINUTES = 30 * 24 * 60;

/**
 * How often the worker's schedule fires in the 30 days from `from`: SYNC_CRON read in
 * SYNC_TIMEZONE by node-cron itself (the worker's own scheduler), so day-of-week rules,
 * ranges and daylight saving come out as the worker will see them. Walks the month a
 * minute at a time (43,200 matches, well under a second); a seconds field multiplies
 * each matching minute by the seconds it names.
 */
export async function ticksInMonth(cron: string, timezone: string, from: Date = new Date()): Promise<number> {
  const seconds = parse(cron).second;
  const task = createTask(cron, () => undefined, { timezone });
  try {
    const start = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS + (seconds[0] ?? 0) * 1000;
    let minutes = 0;
    for (let i = 0; i < MONTH_MINUTES; i++) if (task.match(new Date(start + i * MINUTE_MS))) minutes++;
    return minutes * seconds.length;
  } finally {
    await task.destroy();
  }
}
