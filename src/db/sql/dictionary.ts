import type { Queryable } from './queryable.js';

/** One column of a table or view of the schema, with the COMMENTs of both. */
export interface RelationColumnRow {
  readonly relname: string;
  readonly relkind: string;
  readonly rel_comment: string | null;
  readonly attname: string;
  readonly type: string;
  readonly notnull: boolean;
  readonly col_comment: string | null;
}

/** Every column of the public schema's tables and views in a stable order (Prisma's bookkeeping left out): the data dictionary's source. */
export async function describeRelations(q: Queryable): Promise<RelationColumnRow[]> {
  const { rows } = await q.query<RelationColumnRow>(`
    SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') AS rel_comment,
           a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
           col_description(c.oid, a.attnum) AS col_comment
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> '_prisma_migrations'
    ORDER BY c.relkind, c.relname, a.attnum`);
  return rows;
}
