import pino from 'pino';
import { planRun, type PlanSettings } from '../budget/planner.js';
import { readListStates } from '../db/sql/list-state.js';
import { createDb } from '../db/prisma.js';
import { listsFor } from '../lists/list.js';
import { QuestionProClient } from '../questionpro/client.js';
import { QuestionProSimulator } from '../sim/server.js';
import { runSync } from '../sync/run-sync.js';
import { simulateMonth, type MonthResult } from './month-model.js';
import { openScaleServer } from './scale-databases.js';

/**
 * `npm run bench -- --cost`: what each kind of tick costs, in API calls counted at the
 * simulator, for three account shapes, beside what reading every list costs (a full
 * read, what each tick cost before incremental reads); then a month of 15-minute ticks
 * under a budget of 20,000 calls, simulated with the planner (month-model.ts).
 */
const KEY = 'cost-bench-key';
const PAGE_SIZE = 100;
const SHAPES = [
  { name: '1 × 5,000', lists: 1, tickets: 5_000 },
  { name: '3 × 5,000', lists: 3, tickets: 5_000 },
  { name: '30 × 300', lists: 30, tickets: 300 },
] as const;
const SETTINGS: PlanSettings = { verifyIntervalSeconds: 86_400, statusIntervalSeconds: {}, openStatuses: [0] };

export interface CostRow {
  readonly account: string;
  readonly tick: string;
  readonly calls: number;
  /** Pages of every list: one full read of the account. */
  readonly full_read: number;
  readonly goal: string;
}

async function measureShape(shape: (typeof SHAPES)[number], databaseUrl: string): Promise<CostRow[]> {
  const segments = Array.from({ length: shape.lists }, (_, i) => 2_000 + i);
  const sim = await QuestionProSimulator.start({
    apiKey: KEY,
    lists: segments.map((segmentId) => ({ segmentId, status: 0, count: shape.tickets })),
  });
  const log = pino({ level: 'silent' });
  const db = createDb(databaseUrl);
  const source = new QuestionProClient(
    { baseUrl: sim.baseUrl, apiKey: KEY, timeoutMs: 30_000, retry: { retries: 2, minDelayMs: 10, maxDelayMs: 100 } },
    log,
  );
  const lists = listsFor(segments, [0], PAGE_SIZE);
  const tick = async () => {
    const from = sim.requests.length;
    const plan = planRun(lists, await readListStates(db), SETTINGS, new Date());
    const report = await runSync({ db, databaseUrl, source, log }, { trigger: 'bench', lists: plan.lists });
    if (report.status !== 'succeeded') throw new Error(`cost bench: a ${shape.name} tick ended ${report.status}`);
    return sim.requests.length - from;
  };
  const pagesPerList = Math.ceil(shape.tickets / PAGE_SIZE);
  const fullRead = pagesPerList * shape.lists;
  const log2 = Math.ceil(Math.log2(pagesPerList));
  const row = (name: string, calls: number, goal: string): CostRow => ({
    account: shape.name,
    tick: name,
    calls,
    full_read: fullRead,
    goal,
  });
  try {
    const rows = [row('first sync', await tick(), `one read: ${fullRead}`)];
    rows.push(row('nothing changed', await tick(), `≤ 1 per list: ${shape.lists}`));
    const [first] = segments;
    const top = () => Math.max(...sim.list(first!, 0).map((t) => t.ticketID)) - first! * 1e9;
    sim.upsertTicket(first!, 0, sim.generate(first!, 0, top() + 1)[0]!, 'front');
    rows.push(row('1 new ticket', await tick(), `${shape.lists} + ⌈1 / ${PAGE_SIZE}⌉`));
    for (const ticket of sim
      .generate(first!, 0, top() + 150)
      .slice(0, 150)
      .reverse())
      sim.upsertTicket(first!, 0, ticket, 'front');
    rows.push(row('150 new tickets', await tick(), `${shape.lists} + ⌈150 / ${PAGE_SIZE}⌉ = ${shape.lists + 2}`));
    const middle = sim.list(first!, 0)[Math.floor(sim.list(first!, 0).length / 2)]!;
    sim.removeTicket(first!, 0, middle.ticketID);
    rows.push(
      row('1 closure', await tick(), `≤ ${shape.lists - 1} + ⌈log2 ${pagesPerList}⌉ + 2 = ${shape.lists - 1 + log2 + 2}`),
    );
    return rows;
  } finally {
    await db.$disconnect();
    await sim.close();
  }
}

export async function costBench(): Promise<{ rows: CostRow[]; months: Array<{ account: string } & MonthResult> }> {
  const server = await openScaleServer(undefined, pino({ level: 'silent' }));
  const rows: CostRow[] = [];
  try {
    for (const [i, shape] of SHAPES.entries()) {
      const name = `cost_${i}`;
      const url = await server.createDatabase(name);
      try {
        rows.push(...(await measureShape(shape, url)));
      } finally {
        await server.dropDatabase(name);
      }
    }
  } finally {
    await server.stop();
  }
  const months = SHAPES.map((shape) => ({
    account: shape.name,
    ...simulateMonth({
      lists: shape.lists,
      ticketsPerList: shape.tickets,
      perPage: PAGE_SIZE,
      budget: 20_000,
      tickMinutes: 15,
      days: 30,
      arrivalsPerHour: 1,
      closuresPerHour: 1,
      verifyIntervalSeconds: SETTINGS.verifyIntervalSeconds,
    }),
  }));
  return { rows, months };
}
