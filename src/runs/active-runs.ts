import pg from 'pg';
import type { Logger } from 'pino';
import { closeRun } from '../db/sql/runs.js';
import { errorMessage } from '../errors.js';

/** How long a forced stop may spend recording its runs: it exists because time ran out. */
const FORCED_CONNECT_MS = 2_000;
const FORCED_STATEMENT_MS = 3_000;

/**
 * The runs in progress in this process. A graceful stop lets each run record its own
 * end; a forced one (the stop took too long, or an operator insisted) cannot wait for
 * that, so it records them `aborted` here, on a connection of its own (the run's own
 * may be busy or stuck), within seconds. What cannot be recorded in time is left to
 * the next run's reaper, which marks it abandoned.
 */
export class ActiveRuns {
  private readonly runs = new Map<bigint, string>();

  add(runId: bigint, databaseUrl: string): void {
    this.runs.set(runId, databaseUrl);
  }

  delete(runId: bigint): void {
    this.runs.delete(runId);
  }

  get size(): number {
    return this.runs.size;
  }

  async abortAll(reason: string, log: Logger): Promise<void> {
    await Promise.all(
      [...this.runs].map(async ([runId, databaseUrl]) => {
        const client = new pg.Client({
          connectionString: databaseUrl,
          application_name: 'detractor-sync-forced-stop',
          connectionTimeoutMillis: FORCED_CONNECT_MS,
          statement_timeout: FORCED_STATEMENT_MS,
        });
        try {
          await client.connect();
          await closeRun(client, runId, 'aborted', 'ABORTED', `forced stop: ${reason}`);
          this.runs.delete(runId);
          log.warn({ runId: runId.toString() }, 'run recorded aborted by the forced stop');
        } catch (error) {
          log.error(
            { runId: runId.toString(), errMessage: errorMessage(error) },
            'run not recorded by the forced stop: the next run reaps it',
          );
        } finally {
          await client.end().catch(() => undefined);
        }
      }),
    );
  }
}
