/**
 * What each exit code means, as the help of the syncing commands and the CronJob notes
 * (deploy/kubernetes/cronjob.yaml) say it; src/app/run-verdict.ts and exitCodeFor decide.
 */
export const SYNC_EXIT_CODES = [
  '0  done: every list synced, or deferred by the API call budget (API_CALL_BUDGET); nothing failed',
  '1  a list failed or did not settle, or the database was unreachable: recorded, the next run retries',
  '2  fix before the next run: the configuration or an option, a key the API refused (401, 403),',
  '   or a database this build must not migrate',
] as const;

/** Exit codes of the commands that only succeed or fail. */
export function plainExitCodes(failure: string): readonly string[] {
  return ['0  done', `1  ${failure}`, '2  the configuration or an option is wrong'];
}
