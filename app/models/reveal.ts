/**
 * When what is hidden may be seen: one rule each, written twice side by side —
 * a TypeScript function for rows already read, and its SQL twin for queries —
 * so that every reader (the opening hall, the evaluation, the risk scan, open
 * data, the archive and the audit exports) asks the same question. A test runs
 * both halves on the same rows (tests/unit/reveal.test.ts).
 *
 * 1. An opened bid's content (price, duration, project manager, quality,
 *    bid security, its files, and why it may be invalid) is revealed from the
 *    price reading (唱标) on. Before the reading, while bidders are still
 *    deciding whether to decrypt, nothing of an opened bid reaches anyone: a
 *    colluding host could otherwise tell the last bidder whether to open and
 *    so steer an average-price benchmark (合理低价法).
 *    Decided for the failed case: an opening that failed after the reading had
 *    started stays revealed (the prices were read out in the hall); one that
 *    failed before it (too few bids, nobody decrypted in time) never reveals.
 *
 * 2. A contractor's act on a tender before its deadline (download, 报名,
 *    question, bid submitted, replaced, withdrawn or re-sealed) names a
 *    potential bidder (招标投标法 §22). Its audit row carries `sealedTender`
 *    and is shown — on the audit page, in the audit export — only once that
 *    tender's current deadline has passed.
 */
import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { schema } from "~/utils/db.server";

export type OpeningState = (typeof schema.openingState.enumValues)[number];

/** What of an opening the rule looks at. */
export interface OpeningProgress {
  state: OpeningState;
  readingStartedAt: Date | null;
}

/** Whether an opened bid's content may be seen, given its tender's opening (none yet: not revealed). */
export function bidContentRevealed(o: OpeningProgress | null | undefined): boolean {
  if (!o) return false;
  return o.state === "reading" || o.state === "closed" || (o.state === "failed" && o.readingStartedAt !== null);
}

/**
 * The SQL twin of `bidContentRevealed`, over the opening's two columns —
 * drizzle columns, or raw references such as `sql.raw("o.state")` inside a
 * hand-written query. A missing opening (outer join) is not revealed.
 */
export function bidContentRevealedSql(state: AnyPgColumn | SQL, readingStartedAt: AnyPgColumn | SQL): SQL<boolean> {
  return sql<boolean>`coalesce(${state} in ('reading', 'closed') or (${state} = 'failed' and ${readingStartedAt} is not null), false)`;
}

/** The twin for a hand-written query that joins `openings` under an alias. */
export function bidContentRevealedOn(alias: string): SQL<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not an SQL alias: ${alias}`);
  return bidContentRevealedSql(sql.raw(`${alias}.state`), sql.raw(`${alias}.reading_started_at`));
}

/** Whether an audit row may be shown at `now`: `sealedTender` is the row's tender, `deadline` that tender's current one. */
export function sealedActShown(summary: { sealedTender?: unknown } | null | undefined, deadline: Date | null | undefined, now: Date): boolean {
  if (summary?.sealedTender == null) return true;
  return !deadline || deadline <= now;
}

/**
 * The SQL twin of `sealedActShown`, over an audit row's `summary` column: rows
 * about a tender whose deadline is still ahead are left out. Kept in the query
 * itself (before any page limit), so that a short page cannot count them.
 */
export function sealedActShownSql(summary: AnyPgColumn | SQL, now: Date): SQL<boolean> {
  return sql<boolean>`((${summary}->>'sealedTender') is null or not exists (select 1 from tenders st where st.id::text = ${summary}->>'sealedTender' and st.deadline > ${now.toISOString()}::timestamptz))`;
}

/** Whether a tender's sealed bids may be named (by company, by count) at `now`: from its deadline on. */
export function biddersNameable(deadline: Date, now: Date): boolean {
  return deadline <= now;
}
