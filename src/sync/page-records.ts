import type { Logger } from 'pino';
import { rejectedTicketId, type RejectedRecord } from '../db/sql/rejects.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import type { NumberedPage } from '../questionpro/pages.js';
import type { AcceptedRecord } from './page-store.js';
import { sanitizeRecord } from './record-sanitizer.js';
import { toTicketRow } from './transform.js';

/** A page's records after validation: rows to write, and records to quarantine with their reason. */
export interface PageRecords {
  readonly accepted: readonly AcceptedRecord[];
  readonly rejects: readonly RejectedRecord[];
}

/**
 * The validate → transform stage of one page: each record is made storable (secrets
 * out, NUL and lone surrogates replaced), then validated and converted on its own, so
 * one malformed ticket never costs its page. A repaired record is logged, by ticketID.
 */
export function splitRecords(page: NumberedPage, redactor: SecretRedactor, log: Logger): PageRecords {
  const accepted: AcceptedRecord[] = [];
  const rejects: RejectedRecord[] = [];
  for (const received of page.response) {
    const source = sanitizeRecord(received, redactor);
    const result = toTicketRow(source.record);
    if (result.ok) accepted.push({ row: result.row, source });
    else rejects.push({ record: source.record, originalText: source.originalText, reason: redactor.redact(result.reason) });
    if (source.repaired) {
      const ticketId = result.ok ? result.row.ticketId : rejectedTicketId(source.record)?.toString();
      log.warn(
        { page: page.page, requestId: page.requestId, ticketId },
        'record text repaired (NUL or lone surrogate replaced by U+FFFD)',
      );
    }
  }
  return { accepted, rejects };
}
