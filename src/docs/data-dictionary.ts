import { describeRelations } from '../db/sql/dictionary.js';
import type { Queryable } from '../db/sql/queryable.js';

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

/** Tables and views of the public schema with their COMMENTs, grouped per relation in the database's order. */
export async function readDictionary(q: Queryable): Promise<DictionaryEntry[]> {
  const rows = await describeRelations(q);
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
    parts.push(`### \`${entry.name}\` (${entry.kind})`, '', cell(entry.description), '');
    parts.push('| column | type | description |', '|---|---|---|');
    for (const column of entry.columns) {
      const type = entry.kind === 'table' && !column.nullable ? `${column.type} not null` : column.type;
      parts.push(`| \`${column.name}\` | ${type} | ${cell(column.description)} |`);
    }
    parts.push('');
  }
  return parts.join('\n').trimEnd() + '\n';
}
