import { envDescriptions, envSchema, type EnvName } from '../config/env-schema.js';

/** Units a duration variable accepts, largest first: a default is shown in the largest that divides it. */
const DURATION_UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
] as const;

/** Whether the variable reads `text` as `value` (so `1d` is shown only where 1d is accepted and means it). */
function readsAs(name: EnvName, text: string, value: unknown): boolean {
  const parsed = envSchema.shape[name].safeParse(text);
  return parsed.success && parsed.data === value;
}

/**
 * A default as a person would write it in `.env`: lists comma-separated, a duration in
 * its largest whole unit, nothing for a default that is empty. `(required)` when
 * leaving the variable unset is refused.
 */
export function defaultAsWritten(name: EnvName): string {
  const parsed = envSchema.shape[name].safeParse(undefined);
  if (!parsed.success) return '(required)';
  const value: unknown = parsed.data;
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (value instanceof Map) return value.size === 0 ? '' : [...value].map(([k, v]) => `${String(k)}=${String(v)}`).join(';');
  if (typeof value === 'number') {
    for (const [unit, seconds] of DURATION_UNITS) {
      if (value > 0 && value % seconds === 0 && readsAs(name, `${value / seconds}${unit}`, value))
        return `${value / seconds}${unit}`;
    }
    return String(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  // An object default (per-status intervals) is empty: nothing to write.
  return Object.keys(value as object).length === 0 ? '' : JSON.stringify(value);
}

/** A table cell: `|` escaped, and `<` so that `<env>` shows instead of being taken for an HTML tag. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

/** The reference table of docs/configuration.md: every variable in the schema's order, its default and its description. */
export function renderConfigurationTable(): string {
  const rows = (Object.keys(envDescriptions) as EnvName[]).map((name) => {
    const written = defaultAsWritten(name);
    const shown = written === '' ? '' : written.startsWith('(') ? written : `\`${written}\``;
    return `| \`${name}\` | ${cell(shown)} | ${cell(envDescriptions[name])} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n') + '\n';
}
