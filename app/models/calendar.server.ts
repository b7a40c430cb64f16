import { and, asc, eq, gte, lte } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { WorkingCalendar, type DayKind } from "~/utils/working-days";
import { appendAudit, type Actor } from "./audit.server";
import { DomainError } from "./errors";

const { calendarDays } = schema;

export const calendarEntrySchema = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "errors.calendar.day")
    .refine((d) => !Number.isNaN(new Date(`${d}T00:00:00Z`).getTime()) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "errors.calendar.day"),
  kind: z.enum(["holiday", "workday"], { message: "errors.calendar.kind" }),
  name: z.string().trim().min(1, "errors.calendar.name").max(40, "errors.calendar.name"),
});

export type CalendarEntry = z.infer<typeof calendarEntrySchema>;

/** The calendar page's two forms: set a day, or remove one (a malformed day is refused before the database sees it). */
export const calendarFormSchema = z.discriminatedUnion(
  "intent",
  [calendarEntrySchema.extend({ intent: z.literal("set") }), z.object({ intent: z.literal("remove"), day: calendarEntrySchema.shape.day })],
  { message: "errors.invalidInput" },
);

export async function listCalendar(db: Db, countyId: string, year?: number) {
  const where = year
    ? and(eq(calendarDays.countyId, countyId), gte(calendarDays.day, `${year}-01-01`), lte(calendarDays.day, `${year}-12-31`))
    : eq(calendarDays.countyId, countyId);
  return db.select().from(calendarDays).where(where).orderBy(asc(calendarDays.day));
}

/** The county's working-day calculator, used wherever DOMAIN.md counts working days. */
export async function getWorkingCalendar(db: Db, countyId: string): Promise<WorkingCalendar> {
  const rows = await db.select({ day: calendarDays.day, kind: calendarDays.kind }).from(calendarDays).where(eq(calendarDays.countyId, countyId));
  return new WorkingCalendar(rows as { day: string; kind: DayKind }[]);
}

/** Add or change one day (a holiday, or a weekend made a working day). */
export async function setCalendarDay(db: Db, { clock, actor, countyId, entry }: { clock: Clock; actor: Actor; countyId: string; entry: CalendarEntry }) {
  const parsed = calendarEntrySchema.safeParse(entry);
  if (!parsed.success) throw new DomainError(parsed.error.issues[0].message, { field: String(parsed.error.issues[0].path[0]) });
  const e = parsed.data;
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(calendarDays)
      .where(and(eq(calendarDays.countyId, countyId), eq(calendarDays.day, e.day)));
    await tx
      .insert(calendarDays)
      .values({ countyId, ...e })
      .onConflictDoUpdate({ target: [calendarDays.countyId, calendarDays.day], set: { kind: e.kind, name: e.name } });
    await appendAudit(tx, clock, actor, {
      action: "calendar.set_day",
      objectType: "calendar_day",
      objectId: e.day,
      countyId,
      before: before ? { kind: before.kind, name: before.name } : null,
      after: { kind: e.kind, name: e.name },
    });
  });
}

export async function removeCalendarDay(db: Db, { clock, actor, countyId, day }: { clock: Clock; actor: Actor; countyId: string; day: string }) {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(calendarDays)
      .where(and(eq(calendarDays.countyId, countyId), eq(calendarDays.day, day)))
      .returning();
    if (deleted.length === 0) throw new DomainError("errors.notFound", { status: 404 });
    await appendAudit(tx, clock, actor, {
      action: "calendar.remove_day",
      objectType: "calendar_day",
      objectId: day,
      countyId,
      before: { kind: deleted[0].kind, name: deleted[0].name },
    });
  });
}
