/**
 * Village projects from registration to township approval (DOMAIN.md steps 1–3).
 * State changes go through the writer in lifecycle.server.ts; every change is audited in the same
 * transaction; uploaded evidence is stored before the rows that refer to it.
 */
import { and, desc, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole, type Org, type Project } from "~/utils/db.server";
import { parseYuanToFen } from "~/utils/money";
import { beijingDay } from "~/utils/time";
import { actsForVillage, projectsOfAgent } from "./agent.server";
import { appendAudit, memberRoleOf, type Actor } from "./audit.server";
import { parseRatio, type CountySettings } from "./county-settings";
import { getCountySettings } from "./county-settings.server";
import { DomainError } from "./errors";
import { checkTransition, type ProjectAction, type ProjectState } from "./lifecycle";
import { insertProject, refusal, transition } from "./lifecycle.server";
import { allowedMethods, bandOf, detectSplitting, mandatoryThreshold, PROJECT_TYPES, SELECTION_METHODS, type SplittingFinding } from "./project-rules";
import { formatFen } from "~/utils/money";

const { projects, projectDecisions, files, orgs } = schema;

export const DECISION_STEPS = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"] as const;
export type DecisionStep = (typeof DECISION_STEPS)[number];

const yuan = (message: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const fen = parseYuanToFen(v);
      if (fen === null || fen <= 0) {
        ctx.addIssue({ code: "custom", message });
        return z.NEVER;
      }
      return fen;
    });

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "errors.project.day");
const count = z
  .string()
  .trim()
  .regex(/^\d{1,6}$/, "errors.project.count")
  .transform(Number);

/** The project's own fields, as the committee types them; money arrives as yuan text and leaves as fen. */
const projectFields = {
  name: z.string().trim().min(2, "errors.project.name").max(100, "errors.project.name"),
  type: z.enum(PROJECT_TYPES, { message: "errors.project.type" }),
  location: z.string().trim().min(2, "errors.project.location").max(200, "errors.project.location"),
  scope: z.string().trim().min(2, "errors.project.scope").max(2000, "errors.project.scope"),
  estimate: yuan("errors.project.amount"),
  ceiling: yuan("errors.project.amount"),
  fundingSource: z.string().trim().min(2, "errors.project.fundingSource").max(200, "errors.project.fundingSource"),
  durationDays: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, "errors.project.duration")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 3650, "errors.project.duration"),
  method: z.enum(SELECTION_METHODS, { message: "errors.project.method" }),
};

/** The ceiling may not exceed the estimate (judged once both amounts read as money). */
function ceilingWithinEstimate(v: { estimate: unknown; ceiling: unknown }, ctx: z.RefinementCtx) {
  if (typeof v.ceiling === "number" && typeof v.estimate === "number" && v.ceiling > v.estimate)
    ctx.addIssue({ code: "custom", path: ["ceiling"], message: "errors.project.ceilingAboveEstimate" });
}

/** What the committee types; money arrives as yuan text and leaves as fen. */
export const projectInputSchema = z.object(projectFields).superRefine(ceilingWithinEstimate);

export type ProjectInput = z.output<typeof projectInputSchema>;

export interface DecisionInput {
  step: DecisionStep;
  day: string;
  /** A newly uploaded file, or none to keep what is stored. */
  file?: { sha256: string; size: number; name: string };
  eligible?: number;
  attended?: number;
  votesFor?: number;
}

const VOTE_FIELDS = ["eligible", "attended", "votesFor"] as const;

/** A form field that may be absent: read as "" (its schema judges the text). */
const typedText = z.string("errors.invalidInput").default("");

/** The registration form's buttons: save a draft, or save and submit it to the township. Any other value saves. */
export const PROJECT_FORM_INTENTS = ["save", "submit"] as const;

/**
 * The whole registration (or edit) form, text fields only: the project, each decision step's day (a
 * step left blank is not recorded yet) and, for the villagers' meeting, its votes, and the button
 * pressed. Every field's error is reported at once, under the field's own name ("proposal.day",
 * "villagers_meeting.votesFor" …). The step's files are the upload's business, not the text's.
 */
const projectFormFields = z
  .object({
    ...projectFields,
    "proposal.day": typedText,
    "discussion.day": typedText,
    "party_meeting.day": typedText,
    "villagers_meeting.day": typedText,
    "resolution_notice.day": typedText,
    "villagers_meeting.eligible": typedText,
    "villagers_meeting.attended": typedText,
    "villagers_meeting.votesFor": typedText,
    intent: z.enum(PROJECT_FORM_INTENTS).catch("save"),
  })
  .superRefine(ceilingWithinEstimate)
  // The steps are judged whatever else is wrong, so a long form shows every error at once.
  .superRefine(
    (v, ctx) => {
      for (const step of DECISION_STEPS) {
        const raw = v[`${step}.day`];
        if (typeof raw !== "string" || !raw.trim()) continue;
        if (!day.safeParse(raw).success) {
          ctx.addIssue({ code: "custom", path: [`${step}.day`], message: "errors.project.day" });
          continue;
        }
        if (step === "villagers_meeting")
          for (const k of VOTE_FIELDS) if (!count.safeParse(v[`${step}.${k}`]).success) ctx.addIssue({ code: "custom", path: [`${step}.${k}`], message: "errors.project.count" });
      }
    },
    { when: () => true },
  );

/** The form's text fields as read, before they become a project and its steps (a rule of the caller's may judge them). */
export type ProjectFormFields = z.output<typeof projectFormFields>;

/**
 * The whole registration (or edit) form, text fields only: the project, each decision step's day (a
 * step left blank is not recorded yet) and, for the villagers' meeting, its votes, and the button
 * pressed. Every field's error is reported at once, under the field's own name ("proposal.day",
 * "villagers_meeting.votesFor" …). `check` adds the caller's own rule (the uploads': a step's file
 * needs its day); it too runs whatever else is wrong, and is handed fields that may not have parsed.
 */
export function projectFormSchemaWith(check?: (v: ProjectFormFields, ctx: z.RefinementCtx) => void) {
  return z.preprocess(
    // A project field left out of the form reads as blank, so it gets its own message rather than a type error.
    (raw) => (raw && typeof raw === "object" ? { ...Object.fromEntries(Object.keys(projectFields).map((k) => [k, ""])), ...raw } : raw),
    projectFormFields
      .superRefine((v, ctx) => check?.(v, ctx), { when: () => true })
      .transform(({ intent, ...v }) => {
        const input: ProjectInput = {
          name: v.name,
          type: v.type,
          location: v.location,
          scope: v.scope,
          estimate: v.estimate,
          ceiling: v.ceiling,
          fundingSource: v.fundingSource,
          durationDays: v.durationDays,
          method: v.method,
        };
        const decisions: Omit<DecisionInput, "file">[] = [];
        for (const step of DECISION_STEPS) {
          const d = v[`${step}.day`].trim();
          if (!d) continue;
          const entry: Omit<DecisionInput, "file"> = { step, day: d };
          if (step === "villagers_meeting") for (const k of VOTE_FIELDS) entry[k] = count.parse(v[`${step}.${k}`]);
          decisions.push(entry);
        }
        return { input, decisions, intent };
      }),
  );
}

export const projectFormSchema = projectFormSchemaWith();
export type ProjectForm = z.output<typeof projectFormSchema>;

/** Threshold routing: refuse the mandatory band, refuse a method the band does not allow. */
export function checkBand(settings: CountySettings, input: Pick<ProjectInput, "type" | "estimate" | "method">) {
  const band = bandOf(settings, input.type, input.estimate);
  if (band === "mandatory")
    throw new DomainError("errors.project.mandatory", {
      field: "estimate",
      values: { threshold: formatFen(mandatoryThreshold(settings, input.type)) },
    });
  if (!allowedMethods(settings, band).includes(input.method)) throw new DomainError("errors.project.methodNotAllowed", { field: "method" });
  return band;
}

async function villageOf(db: Db, villageId: string): Promise<Org & { townshipId: string; countyId: string }> {
  const [v] = await db.select().from(orgs).where(eq(orgs.id, villageId));
  if (!v || v.kind !== "village" || !v.townshipId || !v.countyId) throw new DomainError("errors.notFound", { status: 404 });
  return v as Org & { townshipId: string; countyId: string };
}

function summary(p: Pick<Project, "name" | "type" | "estimateFen" | "ceilingFen" | "method" | "state">) {
  return { name: p.name, type: p.type, estimateFen: p.estimateFen, ceilingFen: p.ceilingFen, method: p.method, state: p.state };
}

async function saveDecisions(tx: Db, clock: Clock, projectId: string, decisions: DecisionInput[]) {
  for (const d of decisions) {
    if (d.file) {
      await tx.insert(files).values({ sha256: d.file.sha256, size: d.file.size, mime: "application/pdf", createdAt: clock.now() }).onConflictDoNothing();
    }
    const [existing] = await tx
      .select()
      .from(projectDecisions)
      .where(and(eq(projectDecisions.projectId, projectId), eq(projectDecisions.step, d.step)));
    const fileSha256 = d.file?.sha256 ?? existing?.fileSha256;
    const fileName = d.file?.name ?? existing?.fileName;
    if (!fileSha256 || !fileName) throw new DomainError("errors.project.fileMissing", { field: `${d.step}.file` });
    const row = { projectId, step: d.step, day: d.day, fileSha256, fileName, eligible: d.eligible ?? null, attended: d.attended ?? null, votesFor: d.votesFor ?? null };
    await tx
      .insert(projectDecisions)
      .values(row)
      .onConflictDoUpdate({ target: [projectDecisions.projectId, projectDecisions.step], set: row });
  }
}

/** A committee registers a project of its own village as a draft. */
export async function createProject(
  db: Db,
  { clock, actor, villageId, input, decisions }: { clock: Clock; actor: Actor; villageId: string; input: ProjectInput; decisions: DecisionInput[] },
) {
  const village = await villageOf(db, villageId);
  const settings = await getCountySettings(db, village.countyId);
  checkBand(settings, input);
  return db.transaction(async (tx) => {
    const now = clock.now();
    const p = await insertProject(tx, {
      villageId,
      townshipId: village.townshipId,
      countyId: village.countyId,
      name: input.name,
      type: input.type,
      location: input.location,
      scope: input.scope,
      estimateFen: input.estimate,
      ceilingFen: input.ceiling,
      fundingSource: input.fundingSource,
      durationDays: input.durationDays,
      method: input.method,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    await saveDecisions(tx, clock, p.id, decisions);
    await appendAudit(tx, clock, actor, {
      action: "project.create",
      objectType: "project",
      objectId: p.id,
      countyId: p.countyId,
      townshipId: p.townshipId,
      after: { ...summary(p), decisions: decisions.map((d) => d.step) },
    });
    return p;
  });
}

/** Lock the row and check that this role may take this action now; throws a DomainError naming why not. */
async function lockForAction(tx: Db, projectId: string, action: ProjectAction, actor: Actor) {
  const [p] = await tx.select().from(projects).where(eq(projects.id, projectId)).for("update");
  if (!p) throw new DomainError("errors.notFound", { status: 404 });
  // The acting role comes from the session (actor.role), never from the caller's idea of who should act.
  const verdict = checkTransition(p.state, action, memberRoleOf(actor));
  if (!verdict.ok) throw refusal(verdict.reason, action, p.state);
  return { p };
}

export async function updateProject(
  db: Db,
  { clock, actor, projectId, villageId, input, decisions }: { clock: Clock; actor: Actor; projectId: string; villageId: string; input: ProjectInput; decisions: DecisionInput[] },
) {
  const village = await villageOf(db, villageId);
  checkBand(await getCountySettings(db, village.countyId), input);
  return db.transaction(async (tx) => {
    const { p } = await lockForAction(tx, projectId, "edit", actor);
    if (p.villageId !== villageId) throw new DomainError("errors.forbidden", { status: 403 });
    const [after] = await tx
      .update(projects)
      .set({
        name: input.name,
        type: input.type,
        location: input.location,
        scope: input.scope,
        estimateFen: input.estimate,
        ceilingFen: input.ceiling,
        fundingSource: input.fundingSource,
        durationDays: input.durationDays,
        method: input.method,
        updatedAt: clock.now(),
      })
      .where(eq(projects.id, projectId))
      .returning();
    await saveDecisions(tx, clock, p.id, decisions);
    await appendAudit(tx, clock, actor, {
      action: "project.update",
      objectType: "project",
      objectId: p.id,
      countyId: p.countyId,
      townshipId: p.townshipId,
      before: summary(p),
      after: { ...summary(after), decisions: decisions.filter((d) => d.file).map((d) => d.step) },
    });
    return after;
  });
}

/** 四议两公开 complete and consistent: all five steps, in date order, none in the future, quorum and majority met. */
export function checkDecisions(settings: CountySettings, decisions: Pick<DecisionInput, "step" | "day" | "eligible" | "attended" | "votesFor">[], today: string) {
  const byStep = new Map(decisions.map((d) => [d.step, d]));
  for (const step of DECISION_STEPS) if (!byStep.has(step)) throw new DomainError("errors.project.stepMissing", { field: `${step}.day` });
  let previous = "";
  for (const step of DECISION_STEPS) {
    const d = byStep.get(step)!;
    if (d.day > today) throw new DomainError("errors.project.dayInFuture", { field: `${step}.day` });
    if (d.day < previous) throw new DomainError("errors.project.stepOrder", { field: `${step}.day` });
    previous = d.day;
  }
  const m = byStep.get("villagers_meeting")!;
  const quorum = parseRatio(settings.villagersMeetingQuorum);
  const majority = parseRatio(settings.villagersMeetingMajority);
  const eligible = m.eligible ?? 0;
  const attended = m.attended ?? 0;
  const votesFor = m.votesFor ?? 0;
  if (eligible <= 0 || attended > eligible || votesFor > attended) throw new DomainError("errors.project.votesInconsistent", { field: "villagers_meeting.attended" });
  // attended / eligible ≥ num/den, in integers.
  if (attended * quorum.den < eligible * quorum.num)
    throw new DomainError("errors.project.quorum", { field: "villagers_meeting.attended", values: { ratio: settings.villagersMeetingQuorum } });
  // votesFor / attended > num/den ("more than half").
  if (votesFor * majority.den <= attended * majority.num)
    throw new DomainError("errors.project.majority", { field: "villagers_meeting.votesFor", values: { ratio: settings.villagersMeetingMajority } });
}

/** Submit for the township's approval; runs the splitting check and records what it found. */
export async function submitProject(db: Db, { clock, actor, projectId, villageId }: { clock: Clock; actor: Actor; projectId: string; villageId: string }) {
  return db.transaction(async (tx) => {
    let settings: CountySettings | null = null;
    const { after } = await transition(tx, {
      lifecycle: "project",
      clock,
      actor,
      id: projectId,
      action: "submit",
      guard: async (p) => {
        if (p.villageId !== villageId) throw new DomainError("errors.forbidden", { status: 403 });
        settings = await getCountySettings(tx, p.countyId);
        checkBand(settings, { type: p.type, estimate: p.estimateFen, method: p.method });
        const decisions = await tx.select().from(projectDecisions).where(eq(projectDecisions.projectId, p.id));
        checkDecisions(
          settings,
          decisions.map((d) => ({ ...d, eligible: d.eligible ?? undefined, attended: d.attended ?? undefined, votesFor: d.votesFor ?? undefined })),
          beijingDay(clock.now()),
        );
      },
      set: async (p) => ({ splitting: await findSplitting(tx, settings!, p), submittedAt: clock.now(), returnReason: null }),
      audit: ({ before, after }) => ({
        action: "project.submit",
        objectType: "project",
        objectId: before.id,
        before: { state: before.state },
        after: { state: after.state },
        detail: after.splitting ? { splitting: after.splitting } : undefined,
      }),
    });
    return after;
  });
}

/** Other projects of the village that, with this one, look like one project split to avoid a stricter procedure. */
export async function findSplitting(db: Db, settings: CountySettings, p: Project): Promise<SplittingFinding | null> {
  const others = await db
    .select()
    .from(projects)
    .where(and(eq(projects.villageId, p.villageId), eq(projects.type, p.type), ne(projects.id, p.id), ne(projects.state, "cancelled")));
  const asCandidate = (x: Project) => ({
    id: x.id,
    name: x.name,
    location: x.location,
    scope: x.scope,
    type: x.type,
    villageId: x.villageId,
    estimateFen: x.estimateFen,
    at: x.createdAt,
  });
  return detectSplitting(settings, asCandidate(p), others.map(asCandidate));
}

export async function withdrawSubmission(db: Db, { clock, actor, projectId, villageId }: { clock: Clock; actor: Actor; projectId: string; villageId: string }) {
  return simpleTransition(db, clock, actor, projectId, "withdraw_submission", (p) => p.villageId === villageId, {});
}

export const decisionSchema = z.object({
  reason: z.string().trim().max(2000, "errors.project.reasonTooLong"),
});

/** The supervisor of the project's township approves; a splitting warning needs a written justification. */
export async function approveProject(
  db: Db,
  { clock, actor, projectId, townshipId, justification }: { clock: Clock; actor: Actor; projectId: string; townshipId: string; justification: string },
) {
  const text = justification.trim();
  return db.transaction(async (tx) => {
    const { after } = await transition(tx, {
      lifecycle: "project",
      clock,
      actor,
      id: projectId,
      action: "approve",
      guard: (p) => {
        if (p.townshipId !== townshipId) throw new DomainError("errors.forbidden", { status: 403 });
        if (p.splitting && text.length < 10) throw new DomainError("errors.project.justificationRequired", { field: "reason" });
      },
      set: (p) => ({ splittingJustification: p.splitting ? text : null, decidedAt: clock.now(), decidedBy: actor.userId }),
      detail: (p) => (p.splitting ? { splittingJustification: text } : undefined),
    });
    return after;
  });
}

export async function returnProject(
  db: Db,
  { clock, actor, projectId, townshipId, reason }: { clock: Clock; actor: Actor; projectId: string; townshipId: string; reason: string },
) {
  const text = reason.trim();
  if (text.length < 4) throw new DomainError("errors.project.reasonRequired", { field: "reason" });
  return simpleTransition(
    db,
    clock,
    actor,
    projectId,
    "return",
    (p) => p.townshipId === townshipId,
    {
      returnReason: text,
      decidedAt: clock.now(),
      decidedBy: actor.userId,
    },
    { reason: text },
  );
}

async function simpleTransition(
  db: Db,
  clock: Clock,
  actor: Actor,
  projectId: string,
  action: ProjectAction,
  owns: (p: Project) => boolean,
  set: Partial<Project>,
  detail?: Record<string, unknown>,
) {
  return db.transaction(async (tx) => {
    const { after } = await transition(tx, {
      lifecycle: "project",
      clock,
      actor,
      id: projectId,
      action,
      guard: (p) => {
        if (!owns(p)) throw new DomainError("errors.forbidden", { status: 403 });
      },
      set,
      detail,
    });
    return after;
  });
}

/** Who may read a project: its village's committee, its township's supervisor, its county's administrator. */
export function canRead(p: Pick<Project, "villageId" | "townshipId" | "countyId">, role: MemberRole, orgId: string): boolean {
  if (role === "committee") return p.villageId === orgId;
  if (role === "supervisor") return p.townshipId === orgId;
  if (role === "county_admin") return p.countyId === orgId;
  return false;
}

/** canRead, plus the agent appointed on the project right now. */
export async function canReadProject(db: Db, p: Pick<Project, "id" | "villageId" | "townshipId" | "countyId">, role: MemberRole, orgId: string): Promise<boolean> {
  if (role === "agent") return actsForVillage(db, p, role, orgId);
  return canRead(p, role, orgId);
}

export async function getProject(db: Db, projectId: string) {
  if (!/^[0-9a-f-]{36}$/.test(projectId)) return null;
  const [p] = await db.select().from(projects).where(eq(projects.id, projectId));
  if (!p) return null;
  const decisions = await db.select().from(projectDecisions).where(eq(projectDecisions.projectId, p.id));
  const [village] = await db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, p.villageId));
  return { ...p, villageName: village?.name ?? "", decisions };
}

/** Projects a role can see: its village's, its township's, its county's; optionally in some states only. */
export async function listProjects(db: Db, scope: { role: MemberRole; orgId: string }, states?: ProjectState[]) {
  const agentOf = scope.role === "agent" ? await projectsOfAgent(db, scope.orgId) : [];
  const where =
    scope.role === "committee"
      ? eq(projects.villageId, scope.orgId)
      : scope.role === "supervisor"
        ? eq(projects.townshipId, scope.orgId)
        : scope.role === "county_admin"
          ? eq(projects.countyId, scope.orgId)
          : scope.role === "agent" && agentOf.length
            ? inArray(projects.id, agentOf)
            : undefined;
  if (!where) return [];
  return db
    .select({ project: projects, villageName: orgs.name })
    .from(projects)
    .innerJoin(orgs, eq(orgs.id, projects.villageId))
    .where(states ? and(where, inArray(projects.state, states)) : where)
    .orderBy(desc(projects.updatedAt))
    .limit(200);
}
