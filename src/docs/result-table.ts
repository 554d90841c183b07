/** Query rows as an aligned text table, like psql prints them. */
export function renderRows(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const text = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    if (value instanceof Date)
      return value
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '+00');
    if (Array.isArray(value)) return `{${value.join(',')}}`;
    switch (typeof value) {
      case 'string':
        return value;
      case 'number':
      case 'bigint':
      case 'boolean':
        return String(value);
      default:
        return JSON.stringify(value) ?? '';
    }
  };
  const cells = rows.map((row) => columns.map((c) => text(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    ' ' +
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const out = [line([...columns]), '-' + widths.map((w) => '-'.repeat(w)).join('-+-') + '-', ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}
