import { SecretRedactor } from '../../src/logging/secret-redactor.js';
import { QuestionProClient } from '../../src/questionpro/client.js';
import type { ListMode } from '../../src/budget/planner.js';
import { readListStates } from '../../src/db/sql/list-state.js';
import { listIdentity, listsFor, type ListRef } from '../../src/lists/list.js';
import type { RunTrigger } from '../../src/lists/outcomes.js';
import { runSync, type RunReport } from '../../src/sync/run-sync.js';
import type { CompletenessPolicy } from '../../src/sync/list-sync.js';
import { QuestionProSimulator, type SimulatorOptions } from '../../src/sim/server.js';
import type { SimTicket } from '../../src/sim/ticket-generator.js';
import { captureLogger, type CapturedLogs } from './capture-logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_API_KEY = 'test-key-5f1e9c0d-never-logged';

export interface Harness {
  readonly sim: QuestionProSimulator;
  readonly tdb: TestDatabase;
  readonly logs: CapturedLogs;
  /** Redacts TEST_API_KEY, like the service's own (built from its configuration). */
  readonly redactor: SecretRedactor;
  client(
    overrides?: Partial<{ retries: number; timeoutMs: number; apiKey: string; maxResponseBytes: number }>,
  ): QuestionProClient;
  /**
   * `concurrency: 1` reads the lists one after another and each list's pages in order:
   * for tests that change the source at one exact point of a crawl.
   */
  run(options?: {
    /** Default: every list of the harness, read fully (verified when it matches the database or two reads agree). */
    lists?: Array<ListRef & { mode?: ListMode; reserved?: number }>;
    /** Mode of every default list; a probe takes the records quarantined since the list's last full read as the planner does. */
    mode?: ListMode;
    /** Calls the run may spend beyond each list's first page; default: no limit. */
    pool?: number;
    trigger?: RunTrigger;
    signal?: AbortSignal;
    client?: QuestionProClient;
    policy?: Partial<CompletenessPolicy>;
    concurrency?: number;
  }): Promise<RunReport>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly segments: readonly number[];
  readonly statuses?: readonly number[];
  readonly ticketsPerList?: number;
  readonly perPage?: number;
  /** How the simulator serves pages (clamping, refusing, reordering). */
  readonly simulator?: Pick<SimulatorOptions, 'maxPerPage' | 'clampPerPage' | 'shuffleWithinPages'>;
}

/** The simulator on 127.0.0.1, a fresh migrated database, and a sync wired to both. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const statuses = options.statuses ?? [0];
  const sim = await QuestionProSimulator.start({
    ...options.simulator,
    apiKey: TEST_API_KEY,
    lists: options.segments.flatMap((segmentId) =>
      statuses.map((status) => ({ segmentId, status, count: options.ticketsPerList ?? 25 })),
    ),
  });
  const tdb = await createTestDatabase();
  const redactor = new SecretRedactor([TEST_API_KEY]);
  const logs = captureLogger('debug', redactor);
  const client: Harness['client'] = (overrides = {}) =>
    new QuestionProClient(
      {
        baseUrl: sim.baseUrl,
        apiKey: overrides.apiKey ?? TEST_API_KEY,
        timeoutMs: overrides.timeoutMs ?? 5_000,
        maxResponseBytes: overrides.maxResponseBytes,
        // Short delays: the behaviour under test is the same, the suite stays fast.
        retry: { retries: overrides.retries ?? 4, minDelayMs: 5, maxDelayMs: 50 },
      },
      logs.log,
    );
  const defaultLists = listsFor(options.segments, statuses, options.perPage ?? 10);
  return {
    sim,
    tdb,
    logs,
    redactor,
    client,
    run: async (o = {}) => {
      const states = new Map((await readListStates(tdb.db)).map((state) => [listIdentity(state), state]));
      const lists = (o.lists ?? defaultLists.map((l) => ({ ...l, mode: o.mode, reserved: undefined }))).map((l) => ({
        ...l,
        mode: l.mode ?? 'full',
        reserved: l.reserved ?? 1,
        quarantinedSince: states.get(listIdentity(l))?.lastFullReadRunId ?? null,
      }));
      return runSync(
        {
          db: tdb.db,
          databaseUrl: tdb.url,
          source: o.client ?? client(),
          log: logs.log,
          signal: o.signal,
          policy: o.policy,
          redactor,
          concurrency: o.concurrency,
        },
        { trigger: o.trigger ?? 'cli', lists, pool: o.pool },
      );
    },
    close: async () => {
      await sim.close();
      await tdb.close();
    },
  };
}

/** What the simulator holds for a list, keyed by ticketID, for row-by-row comparison. */
export function truthById(tickets: readonly SimTicket[]): Map<number, SimTicket> {
  return new Map(tickets.map((t) => [t.ticketID, t]));
}
