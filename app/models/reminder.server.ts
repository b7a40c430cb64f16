/**
 * Reminders the platform sends by itself (issue 9), each once (reminders_sent):
 * - the opening hall opens within 30 minutes: to the companies that registered for the tender or
 *   bid on it, and to the village side that hosts the opening;
 * - a company's qualification certificate expires within 30 days: to the company's contractors.
 * The scheduler runs them; a reminder and its notices are written in one transaction.
 */
import { and, eq, gt, gte, isNull, lte } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { addDays, beijingDay, formatBeijing } from "~/utils/time";
import { hostsOf } from "./evaluation.server";
import { notify, usersOfOrgs } from "./notification.server";
import { isCurrentRound } from "./tender.server";

const { tenders, projects, tenderInterest, bids, companyQualifications, remindersSent, orgs } = schema;

export const OPENING_SOON_MS = 30 * 60_000;
export const QUALIFICATION_WARNING_DAYS = 30;

/** Claim a reminder: true the first time only. */
async function once(tx: Db, clock: Clock, kind: string, subject: string): Promise<boolean> {
  const rows = await tx.insert(remindersSent).values({ kind, subject, at: clock.now() }).onConflictDoNothing().returning({ kind: remindersSent.kind });
  return rows.length > 0;
}

export async function remindOpeningSoon(db: Db, clock: Clock): Promise<number> {
  const now = clock.now();
  const due = await db
    .select({ project: projects, tender: tenders })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(and(eq(projects.state, "published"), gt(tenders.deadline, now), lte(tenders.deadline, new Date(now.getTime() + OPENING_SOON_MS)), isCurrentRound));
  let sent = 0;
  for (const { project, tender } of due) {
    await db.transaction(async (tx) => {
      if (!(await once(tx, clock, "opening.soon", tender.id))) return;
      const registered = await tx.select({ companyId: tenderInterest.companyId }).from(tenderInterest).where(eq(tenderInterest.tenderId, tender.id));
      const bidders = await tx.selectDistinct({ companyId: bids.companyId }).from(bids).where(eq(bids.tenderId, tender.id));
      const companies = [...new Set([...registered, ...bidders].map((r) => r.companyId))];
      const people = [...(await usersOfOrgs(tx, companies, ["contractor"])), ...(await hostsOf(tx, project))];
      sent += await notify(tx, {
        clock,
        userIds: people,
        kind: "opening.soon",
        params: { project: project.name, at: formatBeijing(tender.deadline) },
        link: `/notices/${tender.id}/hall`,
      });
    });
  }
  return sent;
}

export async function remindQualificationsExpiring(db: Db, clock: Clock): Promise<number> {
  const today = beijingDay(clock.now());
  const due = await db
    .select({ q: companyQualifications, company: orgs.name })
    .from(companyQualifications)
    .innerJoin(orgs, eq(orgs.id, companyQualifications.companyId))
    .where(
      and(isNull(companyQualifications.removedAt), gte(companyQualifications.expiresOn, today), lte(companyQualifications.expiresOn, addDays(today, QUALIFICATION_WARNING_DAYS))),
    );
  let sent = 0;
  for (const { q, company } of due) {
    await db.transaction(async (tx) => {
      // Keyed by the expiry date too: a renewed certificate with a new date is reminded of again.
      if (!(await once(tx, clock, "company.qualificationExpiring", `${q.id}:${q.expiresOn}`))) return;
      sent += await notify(tx, {
        clock,
        userIds: await usersOfOrgs(tx, [q.companyId], ["contractor"]),
        kind: "company.qualificationExpiring",
        params: { company, name: q.name, number: q.certificateNumber, date: q.expiresOn },
        link: "/company",
      });
    });
  }
  return sent;
}

/** Both reminders (the scheduler's job). */
export async function sendDueReminders(db: Db, clock: Clock) {
  return { openingSoon: await remindOpeningSoon(db, clock), qualifications: await remindQualificationsExpiring(db, clock) };
}
