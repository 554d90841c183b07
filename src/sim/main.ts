// Runs the simulator on its own: for manual poking with curl, and for the benchmark,
// which keeps it in a separate process so its memory is not counted as the sync's.
import { QuestionProSimulator } from './server.js';

const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const port = numberFrom('SIM_PORT', 4010);
const apiKey = process.env['SIM_API_KEY'] ?? 'sim-key';
const segments = (process.env['SIM_SEGMENTS'] ?? '101,102,103').split(',').map((s) => Number(s.trim()));
const count = numberFrom('SIM_TICKETS', 250);
const latencyMs = numberFrom('SIM_LATENCY_MS', 0);
const rateLimitPerMinute = numberFrom('SIM_RATE_LIMIT', 0) || undefined;
// Unset means no allowance; 0 is an allowance already used up.
const callAllowance = process.env['SIM_CALL_ALLOWANCE'] ? Number(process.env['SIM_CALL_ALLOWANCE']) : undefined;

// Status 0 is the documented example and the only one generated; others answer empty.
const sim = await QuestionProSimulator.start({
  apiKey,
  port,
  latencyMs,
  rateLimitPerMinute,
  callAllowance,
  lists: segments.map((segmentId) => ({ segmentId, status: 0, count })),
});
console.log(JSON.stringify({ baseUrl: sim.baseUrl }));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void sim.close().then(() => process.exit(0)));
}
