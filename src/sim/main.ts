// Runs the simulator on its own (for the demo or manual poking with curl).
import { QuestionProSimulator } from './server.js';

const port = Number(process.env.SIM_PORT ?? 4010);
const apiKey = process.env.SIM_API_KEY ?? 'sim-key';
const segments = (process.env.SIM_SEGMENTS ?? '101,102,103').split(',').map((s) => Number(s.trim()));
const count = Number(process.env.SIM_TICKETS ?? 250);
const latencyMs = Number(process.env.SIM_LATENCY_MS ?? 0);

// Status 0 is the documented example and the only one generated; others answer empty.
const starting = QuestionProSimulator.start({
  apiKey,
  port,
  latencyMs,
  lists: segments.map((segmentId) => ({ segmentId, status: 0, count })),
});

// Registered before the port opens, so a signal sent as soon as it accepts connections
// (scripts polling the port) still shuts down cleanly instead of killing the process.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void starting.then((sim) => sim.close()).finally(() => process.exit(0)));
}

console.log((await starting).baseUrl);
