import type { Config } from '../config/config.js';
import type { ListId } from '../lists/list.js';
import type { LoggerOptions } from '../logging/logger.js';
import { LogRouter } from '../terminal/log-router.js';
import { ProgressDisplay } from '../terminal/progress-display.js';
import { listProgressLabel, number } from '../terminal/progress-text.js';
import { colorWanted, outputFacts, progressMode, type ProgressMode } from '../terminal/terminal-mode.js';
import type { RunWatch } from './runtime.js';

/**
 * Where a command's output goes, decided once at its start: a terminal gets readable log
 * lines (routed above a progress display while one is drawn) and per-page lines at
 * debug; a pipe or a file gets pino JSON with every page at info, unchanged.
 */
export interface TerminalOutput {
  readonly mode: ProgressMode;
  readonly logs: LogRouter;
  readonly colorize: boolean;
}

export function openTerminalOutput(options: { readonly progress?: boolean; readonly json?: boolean } = {}): TerminalOutput {
  const facts = outputFacts(options);
  return { mode: progressMode(facts), logs: new LogRouter(process.stderr), colorize: colorWanted(facts.env, facts.stderrIsTTY) };
}

/** A logger's destination where a terminal shows progress: readable lines, routed above the display. */
export function terminalLogDestination(output: TerminalOutput | undefined): Pick<LoggerOptions, 'prettyTo'> | undefined {
  return output && output.mode !== 'off' ? { prettyTo: { stream: output.logs, colorize: output.colorize } } : undefined;
}

/** Per-page log lines: debug where the terminal shows progress (LOG_LEVEL=debug brings them back). */
export function pageLogLevel(output: TerminalOutput | undefined): 'info' | 'debug' {
  return output && output.mode !== 'off' ? 'debug' : 'info';
}

/**
 * One run with its progress shown in the terminal (live, or a line per list), or as it
 * always runs when output is not a terminal. The display's last state stays on screen;
 * what the caller prints next (the summary table) follows it.
 */
export async function withRunProgress<T>(
  output: TerminalOutput | undefined,
  config: {
    readonly reporting: Pick<Config['reporting'], 'segmentNames' | 'statusLabels'>;
    readonly questionpro: Pick<Config['questionpro'], 'rateLimitPerMinute'>;
    readonly budget: Pick<Config['budget'], 'calls' | 'period'>;
  },
  lists: readonly ListId[],
  run: (watch: RunWatch | undefined) => Promise<T>,
): Promise<T> {
  if (!output || output.mode === 'off') return run(undefined);
  const names = { segments: config.reporting.segmentNames, statuses: config.reporting.statusLabels };
  const { calls, period } = config.budget;
  const display = new ProgressDisplay({
    mode: output.mode,
    lists: lists.map((l) => ({ ...l, label: listProgressLabel(l, names) })),
    ratePerMinute: config.questionpro.rateLimitPerMinute,
    budget: calls === undefined ? null : `${number.format(calls)} a ${period}`,
    stream: process.stderr,
  });
  output.logs.to(display.logs);
  try {
    return await run({ run: display.run, client: display.client });
  } finally {
    display.stop();
    output.logs.reset();
  }
}
