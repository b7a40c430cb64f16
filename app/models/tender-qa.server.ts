/**
 * A published tender's life until the deadline (DOMAIN.md step 5): who has
 * the documents (downloads, 报名 where the county wants it), questions and
 * their published answers, amendments with the late-amendment rule.
 *
 * Who downloaded, registered or asked is known to the system only — it is
 * used to notify them — and is never shown to a person before the opening
 * (招标投标法 §22). Their audit rows carry `sealedTender` so the audit page
 * hides the actor until the deadline.
 */
import { and, asc, count, eq, isNotNull, isNull, max } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Project, type Tender } from "~/utils/db.server";
import { formatBeijing, fromBeijingLocal } from "~/utils/time";
import { activeAgent, assertActsForVillage } from "./agent.server";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { getCountySettings } from "./county-settings.server";
import { DomainError } from "./errors";
import { effectiveState, PUBLIC_STATES } from "./lifecycle";
import { assertProjectAction } from "./lifecycle.server";
import { notify, usersOfOrgs } from "./notification.server";

const { projects, tenders, tenderQuestions, tenderAmendments, tenderInterest, tenderAttachments } = schema;

const DAY_MS = 24 * 3600 * 1000;

/**
 * The late-amendment rule: an amendment that affects bid preparation, made
 * less than N days before the deadline, moves the deadline to
 * max(deadline, amendment time + N days). Pure, so it is unit-tested alone.
 */
export function deadlineAfterAmendment(deadline: Date, amendedAt: Date, lateDays: number, affectsPreparation: boolean): { deadline: Date; extended: boolean } {
  if (!affectsPreparation) return { deadline, extended: false };
  const earliest = new Date(amendedAt.getTime() + lateDays * DAY_MS);
  return earliest > deadline ? { deadline: earliest, extended: true } : { deadline, extended: false };
}

/**
 * The tender (current round only) and its project, the project row locked for the caller's
 * transaction: exclusively by default; `share` for bidders, who only need the tender not to change
 * under them (an amendment, the close of bidding and the opening take it exclusively and wait for
 * bids in flight), so hundreds of bids at a deadline do not queue behind one another.
 */
export async function lockCurrentTender(tx: Db, tenderId: string, mode: "update" | "share" = "update") {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) throw new DomainError("errors.notFound", { status: 404 });
  const [row] = await tx
    .select({ tender: tenders, project: projects })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(eq(tenders.id, tenderId))
    .for(mode, { of: projects });
  if (!row) throw new DomainError("errors.notFound", { status: 404 });
  const [latest] = await tx
    .select({ round: max(tenders.round) })
    .from(tenders)
    .where(eq(tenders.projectId, row.project.id));
  if (latest?.round !== row.tender.round) throw new DomainError("errors.qa.oldRound", { status: 409 });
  return row;
}

/** Refuses unless `action` is allowed to the actor at this instant (the deadline counts even before the scheduler ran); a closed tender is named as such. */
function assertOpen(p: Project, t: Tender, action: "register" | "ask" | "answer" | "amend", actor: Actor, now: Date) {
  assertProjectAction(effectiveState(p.state, t.deadline, now), action, actor, { stateKey: "errors.qa.closed" });
}

/** Users on the village's side of a project: its committee and the agent appointed now. */
async function villageSideUsers(tx: Db, p: Project): Promise<string[]> {
  const agent = await activeAgent(tx, p.id);
  return usersOfOrgs(tx, [p.villageId, ...(agent ? [agent.org.id] : [])], ["committee", "agent"]);
}

/** Contractor users of every company that downloaded the documents, registered, or asked a question. */
async function interestedUsers(tx: Db, tenderId: string): Promise<string[]> {
  const interest = await tx.select({ companyId: tenderInterest.companyId }).from(tenderInterest).where(eq(tenderInterest.tenderId, tenderId));
  const askers = await tx.selectDistinct({ companyId: tenderQuestions.companyId }).from(tenderQuestions).where(eq(tenderQuestions.tenderId, tenderId));
  return usersOfOrgs(tx, [...new Set([...interest, ...askers].map((r) => r.companyId))], ["contractor"]);
}

// ── Access to the documents ─────────────────────────────────────────────

export async function isRegistered(db: Db, tenderId: string, companyId: string): Promise<boolean> {
  const [row] = await db
    .select({ at: tenderInterest.registeredAt })
    .from(tenderInterest)
    .where(and(eq(tenderInterest.tenderId, tenderId), eq(tenderInterest.companyId, companyId), isNotNull(tenderInterest.registeredAt)));
  return Boolean(row);
}

/** 报名: only where the county requires it, only before the deadline, once per company. */
export async function registerForTender(db: Db, { clock, actor, tenderId, companyId }: { clock: Clock; actor: Actor; tenderId: string; companyId: string }) {
  if (actor.role !== "contractor") throw new DomainError("errors.forbidden", { status: 403 });
  return db.transaction(async (tx) => {
    const { tender, project } = await lockCurrentTender(tx, tenderId);
    const now = clock.now();
    assertOpen(project, tender, "register", actor, now);
    const settings = await getCountySettings(tx, project.countyId);
    if (!settings.registrationStepRequired) throw new DomainError("errors.qa.registrationOff", { status: 409 });
    if (await isRegistered(tx, tenderId, companyId)) throw new DomainError("errors.qa.alreadyRegistered", { status: 409 });
    await tx
      .insert(tenderInterest)
      .values({ tenderId, companyId, registeredAt: now, registeredBy: actor.userId })
      .onConflictDoUpdate({ target: [tenderInterest.tenderId, tenderInterest.companyId], set: { registeredAt: now, registeredBy: actor.userId } });
    await appendAudit(tx, clock, actor, {
      action: "tender.register",
      objectType: "tender",
      objectId: tenderId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      detail: { sealedTender: tenderId, companyId },
    });
  });
}

export type DownloadVerdict = { ok: true; fileName: string } | { ok: false; reason: "login" | "register" | "forbidden" | "notFound" };

/**
 * May this membership download this file of the tender? Contractors (after
 * 报名 where required), the village's side, and the township / county
 * supervisors may. A contractor's first download is recorded (and audited,
 * sealed) so that amendments reach it.
 */
export async function authorizeDownload(
  db: Db,
  { clock, actor, who, tenderId, sha256 }: { clock: Clock; actor: Actor; who: { role: MemberRole; orgId: string } | null; tenderId: string; sha256: string },
): Promise<DownloadVerdict> {
  if (!/^[0-9a-f-]{36}$/.test(tenderId) || !/^[0-9a-f]{64}$/.test(sha256)) return { ok: false, reason: "notFound" };
  const [row] = await db.select({ tender: tenders, project: projects }).from(tenders).innerJoin(projects, eq(projects.id, tenders.projectId)).where(eq(tenders.id, tenderId));
  if (!row || !PUBLIC_STATES.includes(row.project.state)) return { ok: false, reason: "notFound" };
  const { tender, project } = row;
  let fileName: string | null;
  if (tender.documentPdfSha256 === sha256) fileName = `招标文件-${project.name}.pdf`;
  else {
    const [att] = await db
      .select()
      .from(tenderAttachments)
      .where(and(eq(tenderAttachments.tenderId, tenderId), eq(tenderAttachments.fileSha256, sha256)));
    fileName = att?.fileName ?? null;
  }
  if (!fileName) return { ok: false, reason: "notFound" };
  if (!who) return { ok: false, reason: "login" };
  if (who.role === "supervisor" && project.townshipId === who.orgId) return { ok: true, fileName };
  if (who.role === "county_admin" && project.countyId === who.orgId) return { ok: true, fileName };
  if (who.role === "committee" || who.role === "agent") {
    try {
      await assertActsForVillage(db, project, who.role, who.orgId);
      return { ok: true, fileName };
    } catch {
      return { ok: false, reason: "forbidden" };
    }
  }
  if (who.role !== "contractor") return { ok: false, reason: "forbidden" };
  const settings = await getCountySettings(db, project.countyId);
  if (settings.registrationStepRequired && !(await isRegistered(db, tenderId, who.orgId))) return { ok: false, reason: "register" };
  const now = clock.now();
  // Record the first download while bidding is open: it decides who hears of amendments.
  if (effectiveState(project.state, tender.deadline, now) === "published") {
    await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(tenderInterest)
        .values({ tenderId, companyId: who.orgId, firstDownloadAt: now })
        .onConflictDoUpdate({ target: [tenderInterest.tenderId, tenderInterest.companyId], set: { firstDownloadAt: now }, setWhere: isNull(tenderInterest.firstDownloadAt) })
        .returning({ tenderId: tenderInterest.tenderId });
      if (inserted.length)
        await appendAudit(tx, clock, actor, {
          action: "tender.download",
          objectType: "tender",
          objectId: tenderId,
          countyId: project.countyId,
          townshipId: project.townshipId,
          detail: { sealedTender: tenderId, companyId: who.orgId, sha256 },
        });
    });
  }
  return { ok: true, fileName };
}

// ── Questions and answers ───────────────────────────────────────────────

export const questionSchema = z.string().trim().min(5, "errors.qa.questionLength").max(2000, "errors.qa.questionLength");
export const answerSchema = z.string().trim().min(2, "errors.qa.answerLength").max(5000, "errors.qa.answerLength");

function parseText(schemaOf: z.ZodString, value: unknown, field: string) {
  const r = schemaOf.safeParse(typeof value === "string" ? value : "");
  if (!r.success) throw new DomainError(r.error.issues[0].message, { field });
  return r.data;
}

export async function askQuestion(db: Db, { clock, actor, tenderId, companyId, text }: { clock: Clock; actor: Actor; tenderId: string; companyId: string; text: unknown }) {
  const body = parseText(questionSchema, text, "question");
  return db.transaction(async (tx) => {
    const { tender, project } = await lockCurrentTender(tx, tenderId);
    const now = clock.now();
    assertOpen(project, tender, "ask", actor, now);
    const settings = await getCountySettings(tx, project.countyId);
    if (settings.registrationStepRequired && !(await isRegistered(tx, tenderId, companyId))) throw new DomainError("errors.qa.registerFirst", { status: 409 });
    const [q] = await tx.insert(tenderQuestions).values({ tenderId, companyId, askedBy: actor.userId, body, askedAt: now }).returning();
    await appendAudit(tx, clock, actor, {
      action: "tender.ask",
      objectType: "tender_question",
      objectId: q.id,
      countyId: project.countyId,
      townshipId: project.townshipId,
      detail: { sealedTender: tenderId, companyId, length: body.length },
    });
    await notify(tx, { clock, userIds: await villageSideUsers(tx, project), kind: "tender.question", params: { project: project.name }, link: `/projects/${project.id}#qa` });
    return q;
  });
}

export async function answerQuestion(
  db: Db,
  { clock, actor, questionId, actingOrgId, text }: { clock: Clock; actor: Actor; questionId: string; actingOrgId: string; text: unknown },
) {
  const answer = parseText(answerSchema, text, `answer-${questionId}`);
  if (!/^[0-9a-f-]{36}$/.test(questionId)) throw new DomainError("errors.notFound", { status: 404 });
  return db.transaction(async (tx) => {
    const [q] = await tx.select().from(tenderQuestions).where(eq(tenderQuestions.id, questionId)).for("update");
    if (!q) throw new DomainError("errors.notFound", { status: 404 });
    const { tender, project } = await lockCurrentTender(tx, q.tenderId);
    await assertActsForVillage(tx, project, memberRoleOf(actor), actingOrgId);
    const now = clock.now();
    assertOpen(project, tender, "answer", actor, now);
    if (q.answeredAt) throw new DomainError("errors.qa.alreadyAnswered", { status: 409 });
    await tx.update(tenderQuestions).set({ answer, answeredBy: actor.userId, answeredAt: now }).where(eq(tenderQuestions.id, q.id));
    await appendAudit(tx, clock, actor, {
      action: "tender.answer",
      objectType: "tender_question",
      objectId: q.id,
      countyId: project.countyId,
      townshipId: project.townshipId,
      after: { answer },
      detail: { tenderId: tender.id, onBehalfOf: project.villageId },
    });
    await notify(tx, { clock, userIds: await interestedUsers(tx, tender.id), kind: "tender.answered", params: { project: project.name }, link: `/notices/${tender.id}#qa` });
  });
}

/** Published answers, for everyone: the question and the answer, never who asked. */
export async function listPublishedAnswers(db: Db, tenderId: string) {
  return db
    .select({ id: tenderQuestions.id, body: tenderQuestions.body, answer: tenderQuestions.answer, askedAt: tenderQuestions.askedAt, answeredAt: tenderQuestions.answeredAt })
    .from(tenderQuestions)
    .where(and(eq(tenderQuestions.tenderId, tenderId), isNotNull(tenderQuestions.answeredAt)))
    .orderBy(asc(tenderQuestions.answeredAt));
}

/** For the village side: every question (answered or not), still without who asked. */
export async function listQuestionsForVillage(db: Db, tenderId: string) {
  return db
    .select({ id: tenderQuestions.id, body: tenderQuestions.body, answer: tenderQuestions.answer, askedAt: tenderQuestions.askedAt, answeredAt: tenderQuestions.answeredAt })
    .from(tenderQuestions)
    .where(eq(tenderQuestions.tenderId, tenderId))
    .orderBy(asc(tenderQuestions.askedAt));
}

/** A contractor sees its own company's questions, answered or not. */
export async function listOwnQuestions(db: Db, tenderId: string, companyId: string) {
  return db
    .select({ id: tenderQuestions.id, body: tenderQuestions.body, answer: tenderQuestions.answer, askedAt: tenderQuestions.askedAt, answeredAt: tenderQuestions.answeredAt })
    .from(tenderQuestions)
    .where(and(eq(tenderQuestions.tenderId, tenderId), eq(tenderQuestions.companyId, companyId)))
    .orderBy(asc(tenderQuestions.askedAt));
}

// ── Amendments ──────────────────────────────────────────────────────────

export const amendmentSchema = z.object({
  title: z.string().trim().min(2, "errors.amend.title").max(100, "errors.amend.title"),
  body: z.string().trim().min(5, "errors.amend.body").max(10_000, "errors.amend.body"),
  affectsPreparation: z
    .string()
    .optional()
    .transform((v) => v === "on"),
  /** Optional: the committee may also move the deadline later itself (never earlier). */
  newDeadline: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v), "errors.tender.deadline"),
});
export type AmendmentForm = z.output<typeof amendmentSchema>;

export async function amendTender(
  db: Db,
  { clock, actor, tenderId, actingOrgId, form }: { clock: Clock; actor: Actor; tenderId: string; actingOrgId: string; form: AmendmentForm },
) {
  return db.transaction(async (tx) => {
    const { tender, project } = await lockCurrentTender(tx, tenderId);
    await assertActsForVillage(tx, project, memberRoleOf(actor), actingOrgId);
    const now = clock.now();
    assertOpen(project, tender, "amend", actor, now);
    const settings = await getCountySettings(tx, project.countyId);
    let requested = tender.deadline;
    if (form.newDeadline) {
      requested = fromBeijingLocal(form.newDeadline);
      if (requested < tender.deadline) throw new DomainError("errors.amend.earlier", { field: "newDeadline", values: { deadline: formatBeijing(tender.deadline) } });
    }
    const rule = deadlineAfterAmendment(requested, now, settings.lateAmendmentDays, form.affectsPreparation);
    const [{ seq }] = await tx.select({ seq: count() }).from(tenderAmendments).where(eq(tenderAmendments.tenderId, tender.id));
    const [amendment] = await tx
      .insert(tenderAmendments)
      .values({
        tenderId: tender.id,
        seq: seq + 1,
        title: form.title,
        body: form.body,
        affectsPreparation: form.affectsPreparation,
        deadlineBefore: tender.deadline,
        deadlineAfter: rule.deadline,
        autoExtended: rule.extended,
        createdBy: actor.userId,
        createdAt: now,
      })
      .returning();
    const moved = rule.deadline.getTime() !== tender.deadline.getTime();
    if (moved) await tx.update(tenders).set({ deadline: rule.deadline }).where(eq(tenders.id, tender.id));
    await appendAudit(tx, clock, actor, {
      action: "tender.amend",
      objectType: "tender",
      objectId: tender.id,
      countyId: project.countyId,
      townshipId: project.townshipId,
      before: { deadline: tender.deadline.toISOString() },
      after: { deadline: rule.deadline.toISOString(), seq: amendment.seq, title: form.title, affectsPreparation: form.affectsPreparation, autoExtended: rule.extended },
      detail: { onBehalfOf: project.villageId, lateAmendmentDays: settings.lateAmendmentDays },
    });
    // Everyone concerned hears of it in the app: contractors who have the documents, the village side, the township.
    const supervisors = await usersOfOrgs(tx, [project.townshipId], ["supervisor"]);
    const recipients = [...(await interestedUsers(tx, tender.id)), ...(await villageSideUsers(tx, project)), ...supervisors];
    const params = { project: project.name, title: form.title, deadline: formatBeijing(rule.deadline) };
    await notify(tx, { clock, userIds: recipients, kind: moved ? "tender.deadlineMoved" : "tender.amended", params, link: `/notices/${tender.id}#amendments` });
    return { amendment, deadline: rule.deadline, extended: rule.extended, moved };
  });
}

export async function listAmendments(db: Db, tenderId: string) {
  return db.select().from(tenderAmendments).where(eq(tenderAmendments.tenderId, tenderId)).orderBy(asc(tenderAmendments.seq));
}

/** Tenders the contractor's company registered for (its own view; nobody else sees this). */
export async function companyInterest(db: Db, tenderId: string, companyId: string) {
  const [row] = await db
    .select()
    .from(tenderInterest)
    .where(and(eq(tenderInterest.tenderId, tenderId), eq(tenderInterest.companyId, companyId)));
  return row ?? null;
}
