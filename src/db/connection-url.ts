/**
 * DATABASE_SCHEMA reaches every connection the same way: as `search_path` in the
 * startup options of the connection URL, which node-postgres sends to the server. So
 * raw SQL, the run's bookkeeping connection, migrations and the budget functions all
 * find the tables unqualified, whichever client opens the connection.
 */
export function withSearchPath(connectionString: string, schema: string): string {
  const url = new URL(connectionString);
  const setting = `-c search_path=${schema}`;
  const existing = url.searchParams.get('options');
  // A search_path the user set in options is replaced; other options stay.
  const kept = (existing ?? '').replace(/-c\s*search_path=\S*/g, '').trim();
  url.searchParams.set('options', kept ? `${kept} ${setting}` : setting);
  return url.toString();
}

/** The schema a URL made by withSearchPath points at (public when it has none). */
export function searchPathOf(connectionString: string): string {
  const options = new URL(connectionString).searchParams.get('options') ?? '';
  return /-c\s*search_path=(\S+)/.exec(options)?.[1] ?? 'public';
}
