import type pg from 'pg';

export interface DictionaryColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly description: string | null;
}

export interface DictionaryEntry {
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly description: string | null;
  readonly columns: readonly DictionaryColumn[];
}

/** Tables and views of the public schema with their COMMENTs, in a stable order (Prisma's bookkeeping left out). */
export async function readDictionary(client: Pick<pg.Client, 'query'>): Promise<DictionaryEntry[]> {
  const { rows } = await client.query<{
    relname: string;
    relkind: string;
    rel_comment: string | null;
    attname: string;
    type: string;
    notnull: boolean;
    col_comment: string | null;
  }>(`
    SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') AS rel_comment,
           a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
           col_description(c.oid, a.attnum) AS col_comment
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> '_prisma_migrations'
    ORDER BY c.relkind, c.relname, a.attnum`);
  const entries = new Map<
    string,
    { name: string; kind: 'table' | 'view'; description: string | null; columns: DictionaryColumn[] }
  >();
  for (const row of rows) {
    let entry = entries.get(row.relname);
    if (!entry) {
      entry = { name: row.relname, kind: row.relkind === 'v' ? 'view' : 'table', description: row.rel_comment, columns: [] };
      entries.set(row.relname, entry);
    }
    entry.columns.push({
      name: row.attname,
      type: row.type,
      nullable: row.relkind === 'v' ? true : !row.notnull,
      description: row.col_comment,
    });
  }
  return [...entries.values()];
}

function cell(text: string | null): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown: one heading per table or view, its description, a table of its columns. */
export function renderDictionary(entries: readonly DictionaryEntry[]): string {
  const parts: string[] = [];
  for (const entry of entries) {
    parts.push(`#### \`${entry.name}\` (${entry.kind})`, '', cell(entry.description), '');
    parts.push('| column | type | description |', '|---|---|---|');
    for (const column of entry.columns) {
      const type = entry.kind === 'table' && !column.nullable ? `${column.type} not null` : column.type;
      parts.push(`| \`${column.name}\` | ${type} | ${cell(column.description)} |`);
    }
    parts.push('');
  }
  return parts.join('\n').trimEnd() + '\n';
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${start} ... ${end} section`);
  return `${document.slice(0, from + start.length)}\n${content}${document.slice(to)}`;
}

export function readSection(document: string, name: string): string {
  const start = `<!-- ${name}:start -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(`<!-- ${name}:end -->`);
  if (from < 0 || to < from) throw new Error(`README has no ${name} section`);
  return document.slice(from + start.length + 1, to);
}
