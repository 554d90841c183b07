import type { Config } from '../../config/config.js';
import { ConfigError } from '../../errors.js';
import { pgArray } from '../pg-array.js';
import type { Db } from '../prisma.js';

/** The only status code the API documents (its example): the open list. */
const DOCUMENTED_STATUS_LABELS: ReadonlyMap<number, string> = new Map([[0, 'open']]);

export function defaultStatusLabel(status: number): string {
  return DOCUMENTED_STATUS_LABELS.get(status) ?? `status ${status}`;
}

export type ReportingConfig = Pick<Config, 'reporting'> & {
  readonly sync: Pick<Config['sync'], 'segments' | 'statuses' | 'openStatuses'>;
};

/**
 * Writes what the views show beside the codes, from the configuration, at start:
 * the sole writer of detractor_segments, detractor_ticket_statuses and
 * reporting_settings. Configured names and labels overwrite; a segment or status no
 * longer named keeps the name it had (dashboards do not go back to numbers when a
 * line is deleted from the configuration); a status never named gets its default.
 * Rows change only when a value differs, so replicas starting together agree quietly.
 */
export async function applyReportingConfig(db: Db, config: ReportingConfig): Promise<void> {
  const { segmentNames, statusLabels, timezone } = config.reporting;
  await checkTimezone(db, timezone);
  await db.$executeRaw`
    INSERT INTO reporting_settings (id, report_timezone) VALUES (1, ${timezone})
    ON CONFLICT (id) DO UPDATE SET report_timezone = EXCLUDED.report_timezone, updated_at = now()
    WHERE reporting_settings.report_timezone IS DISTINCT FROM EXCLUDED.report_timezone`;

  const segments = [...new Set([...config.sync.segments, ...segmentNames.keys()])];
  await db.$executeRaw`
    INSERT INTO detractor_segments (segment_id, name)
    SELECT * FROM unnest(${pgArray(segments)}::bigint[], ${pgArray(segments.map((s) => segmentNames.get(s) ?? null))}::text[])
    ON CONFLICT (segment_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
    WHERE EXCLUDED.name IS NOT NULL AND detractor_segments.name IS DISTINCT FROM EXCLUDED.name`;

  const statuses = [...new Set([...config.sync.statuses, ...statusLabels.keys(), ...config.sync.openStatuses])];
  const open = statuses.map((s) => String(config.sync.openStatuses.includes(s)));
  await db.$executeRaw`
    INSERT INTO detractor_ticket_statuses (status, label, is_open)
    SELECT * FROM unnest(${pgArray(statuses)}::int[], ${pgArray(statuses.map(defaultStatusLabel))}::text[], ${pgArray(open)}::boolean[])
    ON CONFLICT (status) DO UPDATE SET is_open = EXCLUDED.is_open
    WHERE detractor_ticket_statuses.is_open IS DISTINCT FROM EXCLUDED.is_open`;
  const labelled = [...statusLabels.keys()];
  await db.$executeRaw`
    UPDATE detractor_ticket_statuses s SET label = c.label
    FROM unnest(${pgArray(labelled)}::int[], ${pgArray(labelled.map((l) => statusLabels.get(l)!))}::text[]) AS c(status, label)
    WHERE s.status = c.status AND s.label IS DISTINCT FROM c.label`;
}

/** PostgreSQL's own time zone database decides (it may lag the one Node ships). */
async function checkTimezone(db: Db, timezone: string): Promise<void> {
  const [row] = await db.$queryRaw<[{ known: boolean }]>`
    SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = ${timezone}) OR upper(${timezone}) = 'UTC' AS known`;
  if (!row.known) {
    throw new ConfigError([
      {
        variable: 'REPORT_TIMEZONE',
        message: `"${timezone}" is not a time zone this PostgreSQL knows (REPORT_TIMEZONE, default SYNC_TIMEZONE)`,
      },
    ]);
  }
}
