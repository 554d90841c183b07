import type { Db } from '../prisma.js';

/** Whether a relation exists on the search_path, and whether the connection's role may read it. */
export type RelationAccess = { readonly name: string; readonly present: boolean; readonly readable: boolean };

/**
 * Reads the catalog only, so it answers for any role, one granted nothing included, and
 * on a database without a single table: what a command that must not create or migrate
 * anything (`status`) checks before it reads.
 */
export async function relationAccess(db: Db, names: readonly string[]): Promise<{ role: string; relations: RelationAccess[] }> {
  const relations = await db.$queryRaw<RelationAccess[]>`
    SELECT r.name, to_regclass(r.name) IS NOT NULL AS present,
           coalesce(has_table_privilege(to_regclass(r.name), 'SELECT'), false) AS readable
    FROM unnest(${[...names]}::text[]) WITH ORDINALITY AS r(name, position) ORDER BY r.position`;
  const [row] = await db.$queryRaw<Array<{ role: string }>>`SELECT current_user::text AS role`;
  return { role: row?.role ?? 'unknown', relations };
}
