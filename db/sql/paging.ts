/**
 * Paged lists with their total: one page of a query and how many rows match in all. The total
 * rides on the page's rows as a window count; a page past the end has no row to carry it, so only
 * then is it counted apart, and the total stays true on every page.
 */
import type { Queryable } from './queryable.js';

export interface PagedQuery {
  /** The select list. */
  select: string;
  /** FROM … [WHERE …], shared by the page and the count; its parameters are `params`. */
  from: string;
  /** A total order, so that pages never overlap. */
  orderBy: string;
  params: readonly unknown[];
}

export async function pageWithTotal<Row extends object>(
  db: Queryable,
  query: PagedQuery,
  page: { limit: number; offset: number },
): Promise<{ rows: Row[]; matched: number }> {
  const n = query.params.length;
  const { rows } = await db.query<Row & { lw_matched: string }>(
    `SELECT ${query.select}, count(*) OVER () AS lw_matched ${query.from}
      ORDER BY ${query.orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...query.params, page.limit, page.offset],
  );
  const matched = rows[0]
    ? Number(rows[0].lw_matched)
    : page.offset === 0 ? 0 : Number((await db.query<{ n: string }>(`SELECT count(*) AS n ${query.from}`, [...query.params])).rows[0]!.n);
  return { rows: rows.map(({ lw_matched: _, ...row }) => row as unknown as Row), matched };
}
