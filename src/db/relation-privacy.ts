/**
 * Which tables and views hold personal data. The read-only role made with
 * `db:readonly-role -- --no-pii` is granted exactly the PII-free ones; a test checks
 * that every relation of the schema is listed here once and that none listed PII-free
 * has a column named like personal data, so a new view cannot slip into either set.
 */
export const PII_FREE_RELATIONS = [
  'v_open_detractor_tickets_no_pii',
  'v_detractor_tickets_daily',
  'v_ticket_sla',
  'v_ticket_sla_by_segment',
  'v_sync_health_no_pii',
  'v_sync_runs_no_pii',
  'detractor_segments',
  'detractor_ticket_statuses',
  'detractor_ticket_segments',
  'reporting_settings',
  // API calls per minute and outcome, and per budget period, keyed by a fingerprint of the
  // key (never the key): what `npm run status` shows of the budget, for this role too.
  'api_call_ledger',
  'api_call_budgets',
] as const;

/**
 * E-mail, phone, comment text or the raw record (which holds all three); or error
 * messages, which quote the API, and an API's message may name a person.
 */
export const PII_RELATIONS = [
  'detractor_tickets',
  'detractor_ticket_versions',
  'v_open_detractor_tickets',
  'sync_rejects',
  'sync_runs',
  'sync_run_segments',
  'sync_lists',
  'v_sync_health',
] as const;

/** Bookkeeping of the service itself that no report reads, granted to no reader in --no-pii mode. */
export const INTERNAL_RELATIONS = ['_prisma_migrations', 'api_call_periods', 'api_rate_slots', 'sync_notifications'] as const;

/** Column names that mean personal data wherever they appear. */
export const PII_COLUMN_NAMES = ['email_address', 'phone_number', 'comment', 'raw', 'raw_text', 'response_id'] as const;
