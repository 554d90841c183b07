/** The words of a run's life, shared by the orchestrator, the run store, metrics and logs. */

export type RunTrigger = 'cron' | 'cli' | 'startup' | 'demo' | 'bench';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'aborted' | 'abandoned' | 'skipped';
export type ListOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'aborted';
/** How a finished run ends up: never still running, and only a reaper abandons one. */
export type FinalRunStatus = Exclude<RunStatus, 'running' | 'abandoned'>;
