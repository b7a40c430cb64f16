// The rule "a bid's content is revealed from the price reading on" is written
// twice (reveal.ts): a TypeScript function and its SQL twin. Both halves run
// here on the same rows — every opening state, with and without a reading
// start — and must agree, on PGlite and on PostgreSQL.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bidContentRevealed, bidContentRevealedOn, type OpeningState } from "~/models/reveal";
import { rowsOf, schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";

let database: Database;

beforeAll(async () => {
  database = await createTestDb({ empty: true });
});

afterAll(async () => {
  await database?.close();
});

const READ_AT = new Date("2026-11-26T02:40:00Z");
const rows = schema.openingState.enumValues.flatMap((state: OpeningState) => [
  { state, readingStartedAt: null },
  { state, readingStartedAt: READ_AT },
]);

describe("bid content revealed", () => {
  it("is decided the same by the TypeScript rule and its SQL twin, for every state", async () => {
    const values = sql.join(
      rows.map((r, i) => sql`(${i}, ${r.state}::opening_state, ${r.readingStartedAt?.toISOString() ?? null}::timestamptz)`),
      sql`, `,
    );
    const result = rowsOf<{ i: number; revealed: boolean }>(
      await database.db.execute(sql`select o.i, ${bidContentRevealedOn("o")} as revealed from (values ${values}) as o(i, state, reading_started_at) order by o.i`),
    );
    expect(result).toHaveLength(rows.length);
    for (const r of result) expect(r.revealed, JSON.stringify(rows[r.i])).toBe(bidContentRevealed(rows[r.i]));
  });

  it("reveals from the reading on, and after a failure only when the reading had started", () => {
    const revealed = rows.filter((r) => bidContentRevealed(r)).map((r) => `${r.state}${r.readingStartedAt ? "+read" : ""}`);
    expect(revealed).toEqual(["reading", "reading+read", "closed", "closed+read", "failed+read"]);
    expect(bidContentRevealed(null)).toBe(false);
    expect(bidContentRevealed({ state: "decrypting", readingStartedAt: READ_AT })).toBe(false);
  });

  it("treats a tender without an opening (an outer join's nulls) as not revealed", async () => {
    const [r] = rowsOf<{ revealed: boolean }>(
      await database.db.execute(sql`select ${bidContentRevealedOn("o")} as revealed from (values (null::opening_state, null::timestamptz)) as o(state, reading_started_at)`),
    );
    expect(r.revealed).toBe(false);
  });

  it("refuses an alias that is not a plain SQL name", () => {
    expect(() => bidContentRevealedOn("o; drop table bids")).toThrow();
  });
});
