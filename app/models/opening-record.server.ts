/**
 * The opening record (开标记录): project, time, host, sign-ins, each bid's
 * decryption result, the prices read out, confirmations, objections and
 * answers — as a Chinese PDF with a signature line for the host, who signs
 * it with their passkey (signature.server.ts). Once signed it is public.
 */
import { and, asc, eq } from "drizzle-orm";
import { renderDocument, type DocumentSection } from "~/pdf/document.server";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { getT } from "~/utils/i18n";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { actsForVillage } from "./agent.server";
import { DomainError } from "./errors";
import type { FileStore } from "./file-store.server";
import { eventWords, hallEventsAfter } from "./hall-events.server";
import { readingRows } from "./opening.server";
import { reasonKeys, unreadableFields } from "./bid-rules";
import type { RelyingParty } from "./passkey.server";
import { completeSignature, longTermForm, requestSignature, type PasskeyApproval } from "./signature.server";
import type { MemberRole } from "~/utils/db.server";

const { openings, openingSignins, tenders, projects, orgs, users } = schema;
const T = getT("zh-CN");
const TIME = "yyyy-MM-dd HH:mm:ss";

export async function renderOpeningRecord(db: Db, tenderId: string, now: Date) {
  const [row] = await db
    .select({ tender: tenders, project: projects, village: orgs.name })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .innerJoin(orgs, eq(orgs.id, projects.villageId))
    .where(eq(tenders.id, tenderId));
  const [o] = await db.select().from(openings).where(eq(openings.tenderId, tenderId));
  if (!row || !o || (o.state !== "closed" && o.state !== "failed")) throw new DomainError("errors.opening.notNow", { status: 409 });
  const [host] = o.hostUserId ? await db.select({ name: users.name }).from(users).where(eq(users.id, o.hostUserId)) : [];
  const signins = await db
    .select({ company: orgs.name, at: openingSignins.at })
    .from(openingSignins)
    .innerJoin(orgs, eq(orgs.id, openingSignins.companyId))
    .where(eq(openingSignins.tenderId, tenderId))
    .orderBy(asc(openingSignins.at));
  const rows = await readingRows(db, tenderId);
  const events = await hallEventsAfter(db, tenderId, 0);
  const reason = o.failReason ? (JSON.parse(o.failReason) as { key: string; values?: Record<string, string | number> }) : null;
  const sections: DocumentSection[] = [
    {
      heading: "一、签到",
      blocks: signins.length
        ? [
            {
              kind: "table",
              columns: [
                { label: "投标人", width: 3 },
                { label: "签到时间", width: 2 },
              ],
              rows: signins.map((s) => [s.company, formatBeijing(s.at, TIME)]),
            },
          ]
        : [{ kind: "paragraph", text: "无人签到。" }],
    },
    {
      heading: "二、解密与唱标",
      blocks: [
        { kind: "paragraph", text: `最高投标限价：${formatFen(row.project.ceilingFen)}。截止时有效投标 ${o.bidCount ?? 0} 份。` },
        {
          kind: "table",
          columns: [
            { label: "投标人", width: 3 },
            { label: "解密结果", width: 2 },
            { label: "投标报价", width: 2, align: "right" },
            { label: "工期（天）", width: 1, align: "right" },
            { label: "项目经理", width: 2 },
            { label: "保证金", width: 1 },
            { label: "确认", width: 1 },
          ],
          rows: rows.map((r) => {
            const opened = r.status === "decrypted" || r.status === "rejected";
            const reasons = reasonKeys(r.reason)
              .map((k) => T(k))
              .join("；");
            const unreadable = unreadableFields(r.reason);
            const shown = (v: string | number | null, cannotRead: boolean) => (v === null ? (opened && cannotRead ? T("opening.unreadable") : "—") : String(v));
            return [
              r.company,
              `${T(`opening.status.${r.status}`)}${reasons ? `（${opened ? T("opening.marked", { reasons }) : reasons}）` : ""}`,
              shown(r.price, unreadable.price),
              shown(r.durationDays, unreadable.durationDays),
              shown(r.projectManager, unreadable.all),
              r.securityOk === null ? "—" : r.securityOk ? "符合" : "不符合",
              T(`opening.confirmation.${r.confirmation}`),
            ];
          }),
        },
      ],
    },
    {
      heading: "三、开标过程（含异议与答复）",
      blocks: [
        {
          kind: "table",
          columns: [
            { label: "时间", width: 2 },
            { label: "事件", width: 6 },
          ],
          rows: events.map((e) => {
            const { vars, reason: r } = eventWords(e.payload);
            return [formatBeijing(e.at, TIME), `${T(`opening.event.${e.kind}`, vars)}${r ? `：${T(r.key, r.values)}` : ""}`];
          }),
        },
      ],
    },
    {
      heading: "四、结论",
      blocks: [
        { kind: "paragraph", text: o.state === "failed" ? `流标。原因：${reason ? T(reason.key, reason.values) : "—"}。` : "开标结束，有效投标进入评标。" },
        { kind: "signatureLines", labels: ["主持人"] },
      ],
    },
  ];
  return renderDocument({
    title: "开标记录",
    subtitle: row.project.name,
    header: `村易招 · ${row.village} · ${row.project.name} · 开标记录`,
    meta: [
      { label: "招标人", value: row.village },
      { label: "项目名称", value: row.project.name },
      { label: "开标时间", value: `${formatBeijing(row.tender.deadline, TIME)}（北京时间）` },
      { label: "主持人", value: host?.name ?? "—" },
      { label: "开始解密", value: o.decryptionStartedAt ? formatBeijing(o.decryptionStartedAt, TIME) : "—" },
      { label: "结束", value: o.closedAt ? formatBeijing(o.closedAt, TIME) : "—" },
    ],
    sections,
    createdAt: now,
    author: "村易招",
    subject: "开标记录",
  });
}

async function assertRecordHost(db: Db, tenderId: string, role: MemberRole, orgId: string) {
  const [row] = await db
    .select({ project: projects, opening: openings })
    .from(openings)
    .innerJoin(tenders, eq(tenders.id, openings.tenderId))
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(eq(openings.tenderId, tenderId));
  if (!row || !(await actsForVillage(db, row.project, role, orgId))) throw new DomainError("errors.forbidden", { status: 403 });
  if (row.opening.recordSignedAt) throw new DomainError("errors.signature.alreadySigned", { status: 409 });
  return row;
}

/** The host asks to sign the record: it is rendered now and prepared for their passkey. */
export async function requestRecordSignature(
  db: Db,
  {
    clock,
    store,
    rp,
    actor,
    actingOrgId,
    tenderId,
  }: { clock: Clock; store: FileStore; rp: RelyingParty; actor: Actor & { userId: string }; actingOrgId: string; tenderId: string },
) {
  await assertRecordHost(db, tenderId, memberRoleOf(actor), actingOrgId);
  const record = await renderOpeningRecord(db, tenderId, clock.now());
  const slot = record.signatureSlots.find((s) => s.label === "主持人");
  return requestSignature(db, {
    clock,
    store,
    rp,
    userId: actor.userId,
    doc: {
      pdf: record.bytes,
      purpose: "opening_record",
      objectId: tenderId,
      fieldName: "sig-host",
      reason: "开标记录 主持人签字",
      location: "村易招",
      rect: slot,
      page: slot?.pageIndex,
    },
  });
}

/** The host's passkey approved the digest: sign, and publish the signed record. */
export async function completeRecordSignature(
  db: Db,
  { clock, store, rp, actor, actingOrgId, tenderId, requestId, response }: PasskeyApproval & { actor: Actor & { userId: string }; actingOrgId: string; tenderId: string },
) {
  const { project } = await assertRecordHost(db, tenderId, memberRoleOf(actor), actingOrgId);
  const { request, signed } = await completeSignature(db, { clock, store, rp, userId: actor.userId, requestId, response });
  if (request.purpose !== "opening_record" || request.objectId !== tenderId) throw new DomainError("errors.signature.expired", { status: 409 });
  // The record is final with its one signature: its long-term form (PAdES-B-LTA) is what gets published.
  const final = await longTermForm(db, { clock, store, sha256: signed.sha256 });
  await db.transaction(async (tx) => {
    const [o] = await tx.select().from(openings).where(eq(openings.tenderId, tenderId)).for("update");
    if (o.recordSignedAt) throw new DomainError("errors.signature.alreadySigned", { status: 409 });
    await tx
      .update(openings)
      .set({ recordPdfSha256: final.sha256, recordSignedAt: clock.now(), recordSignedBy: actor.userId })
      .where(and(eq(openings.tenderId, tenderId)));
    await appendAudit(tx, clock, actor, {
      action: "opening.record_signed",
      objectType: "tender",
      objectId: tenderId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      after: { sha256: final.sha256, size: final.size },
    });
  });
  return final;
}

/** The signed record, for the public page (null until signed). */
export async function publishedRecord(db: Db, tenderId: string) {
  if (!/^[0-9a-f-]{36}$/.test(tenderId)) return null;
  const [o] = await db.select({ sha: openings.recordPdfSha256, at: openings.recordSignedAt }).from(openings).where(eq(openings.tenderId, tenderId));
  return o?.sha && o.at ? { sha256: o.sha, signedAt: o.at } : null;
}
