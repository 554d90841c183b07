/**
 * Where the text in each text or JSON column comes from. What the API sent is stored
 * only through its gate: `api-record` through sync/record-sanitizer.ts (secrets out,
 * storable), `api-identifier` and `api-text` through questionpro/api-text.ts (also
 * bounded; an identifier that does not look like one is withheld), `api-message` is
 * an error message the service writes around API text that passed that gate (and is
 * redacted and bounded again by the run store). A test fails when a column is not listed
 * here, so a new one cannot take API text past the gate unnoticed; another syncs from
 * a server that echoes the api-key everywhere and finds it in no column.
 */
export const TEXT_COLUMN_SOURCES = {
  '_prisma_migrations.checksum': 'service',
  '_prisma_migrations.id': 'service',
  '_prisma_migrations.logs': 'service',
  '_prisma_migrations.migration_name': 'service',
  'api_call_budgets.key_fingerprint': 'service',
  'api_call_ledger.key_fingerprint': 'service',
  'api_call_ledger.outcome': 'service',
  'api_call_periods.key_fingerprint': 'service',
  'api_rate_slots.key_fingerprint': 'service',
  'detractor_segments.name': 'config',
  'detractor_ticket_statuses.label': 'config',
  'detractor_ticket_versions.comment': 'api-record',
  'detractor_ticket_versions.email_address': 'api-record',
  'detractor_ticket_versions.phone_number': 'api-record',
  'detractor_tickets.comment': 'api-record',
  'detractor_tickets.email_address': 'api-record',
  'detractor_tickets.last_request_id': 'api-identifier',
  'detractor_tickets.phone_number': 'api-record',
  'detractor_tickets.raw': 'api-record',
  'reporting_settings.report_timezone': 'config',
  'sync_lists.last_error_api_id': 'api-identifier',
  'sync_lists.last_error_code': 'service',
  'sync_lists.last_error_message': 'api-message',
  'sync_lists.last_error_request_id': 'api-identifier',
  'sync_lists.last_outcome': 'service',
  'sync_lists.served_order': 'service',
  'sync_notifications.claim_token': 'service',
  'sync_notifications.kind': 'service',
  'sync_notifications.notified_state': 'service',
  'sync_notifications.pending_state': 'service',
  'sync_notifications.subject': 'service',
  'sync_rejects.raw': 'api-record',
  'sync_rejects.raw_text': 'api-record',
  'sync_rejects.reason': 'api-message',
  // The ticketID's digits or a SHA-256 the service computes: never API text as such.
  'sync_rejects.record_key': 'service',
  'sync_rejects.request_id': 'api-identifier',
  'sync_run_segments.error_api_id': 'api-identifier',
  'sync_run_segments.error_code': 'service',
  'sync_run_segments.error_message': 'api-message',
  'sync_run_segments.error_request_id': 'api-identifier',
  'sync_run_segments.outcome': 'service',
  'sync_run_segments.read_mode': 'service',
  'sync_run_segments.served_order': 'service',
  'sync_runs.error_code': 'service',
  'sync_runs.error_message': 'api-message',
  'sync_runs.hostname': 'service',
  'sync_runs.status': 'service',
  'sync_runs.trigger': 'service',
} as const satisfies Record<string, 'service' | 'config' | 'api-record' | 'api-identifier' | 'api-text' | 'api-message'>;
