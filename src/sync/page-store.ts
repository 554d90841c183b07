import { sqlState } from '../db/db-retry.js';
import type { Db } from '../db/prisma.js';
import { upsertRejects, type RejectedRecord } from '../db/sql/rejects.js';
import { upsertPageStatement, writePage, type PageWrite, type PageWriteCounts, type TicketRow } from '../db/sql/tickets.js';
import { storableText } from '../logging/storable-text.js';
import { SyncError, errorMessage } from '../errors.js';
import type { SanitizedRecord } from './record-sanitizer.js';

/** A record that passed validation, with what it was made from (for quarantine if the database refuses it). */
export interface AcceptedRecord {
  readonly row: TicketRow;
  readonly source: SanitizedRecord;
}

export interface PageToStore {
  readonly page: number;
  readonly requestId: string | undefined;
  readonly accepted: readonly AcceptedRecord[];
  readonly rejects: readonly RejectedRecord[];
}

export interface StoredPage extends PageWriteCounts {
  /** Everything quarantined: what failed validation and what the database refused. */
  readonly quarantined: readonly RejectedRecord[];
}

/**
 * Two lists holding the same ticket (segments that share tickets, a ticket moving
 * between statuses mid-run) may write it at the same moment: the statement that commits
 * second saw the ticket's history before the first one's new version, and its own new
 * version collides with it on the one-current-version index (23505). Written again, the
 * page sees the other's commit, and the newer page arrival wins as always (seenAt).
 */
const WRITE_CONFLICT_RETRIES = 5;

function isWriteConflict(error: unknown): boolean {
  return sqlState(error) === '23505';
}

async function withConflictRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isWriteConflict(error) || attempt > WRITE_CONFLICT_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * SQLSTATE classes a record's own content can cause (22: data exception, e.g. a value
 * out of range; 23: a constraint; 54000: a value too long). Anything else (a lost
 * connection, a permission) is about the database, not the record.
 */
function isRecordError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23') || state === '54000');
}

/**
 * Stores one page: its records in one statement and its quarantined records with it, in
 * one batch transaction (both or neither). Should the database refuse the page for a
 * record's content, the page is written again record by record and the refused ones
 * are quarantined with the database's reason: a page never fails because of one record.
 */
export async function storePage(db: Db, write: Omit<PageWrite, 'rows'>, page: PageToStore): Promise<StoredPage> {
  const accepted = dedupeByTicketId(page.accepted);
  const rejectWrite = {
    runId: write.runId,
    segmentId: write.segmentId,
    status: write.status,
    page: page.page,
    requestId: page.requestId,
  };
  const rows = accepted.map((a) => a.row);
  try {
    return {
      ...(await withConflictRetries(() => writeTogether(db, { ...write, rows }, { ...rejectWrite, rejects: page.rejects }))),
      quarantined: page.rejects,
    };
  } catch (error) {
    if (!isRecordError(error)) {
      throw new SyncError(
        'DB_WRITE_FAILED',
        `page ${page.page} (requestID ${page.requestId ?? 'none'}) could not be stored: ${errorMessage(error)}`,
        {
          cause: error,
          requestId: page.requestId,
        },
      );
    }
  }
  const counts = { inserted: 0, updated: 0, unchanged: 0, returned: 0 };
  const quarantined = [...page.rejects];
  for (const { row, source } of accepted) {
    try {
      const one = await withConflictRetries(() => writePage(db, { ...write, rows: [row] }));
      counts.inserted += one.inserted;
      counts.updated += one.updated;
      counts.unchanged += one.unchanged;
      counts.returned += one.returned;
    } catch (error) {
      if (!isRecordError(error)) throw error;
      const reason = storableText(`the database refused the record: ${errorMessage(error)} (SQLSTATE ${sqlState(error)})`);
      quarantined.push({ record: source.record, originalText: source.originalText, reason });
    }
  }
  if (quarantined.length > 0) await upsertRejects(db, { ...rejectWrite, rejects: quarantined });
  return { ...counts, quarantined };
}

async function writeTogether(db: Db, w: PageWrite, rejects: Parameters<typeof upsertRejects>[1]): Promise<PageWriteCounts> {
  const none = { inserted: 0, updated: 0, unchanged: 0, returned: 0 };
  if (rejects.rejects.length === 0) return writePage(db, w);
  if (w.rows.length === 0) {
    await upsertRejects(db, rejects);
    return none;
  }
  const [counts] = await db.$transaction([db.$queryRaw<PageWriteCounts[]>(upsertPageStatement(w)), upsertRejects(db, rejects)]);
  return counts[0] ?? none;
}

/**
 * Postgres refuses to update one row twice in a statement, and a page may repeat a
 * ticket while the list shifts: keep the last occurrence of each ticketID. Sorted by
 * id so concurrent writers lock rows in the same order (no deadlocks).
 */
export function dedupeByTicketId(records: readonly AcceptedRecord[]): AcceptedRecord[] {
  const byId = new Map<number, AcceptedRecord>();
  for (const record of records) byId.set(record.row.ticketId, record);
  return [...byId.values()].sort((a, b) => a.row.ticketId - b.row.ticketId);
}
