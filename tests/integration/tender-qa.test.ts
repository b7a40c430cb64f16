// Agents, questions and answers, amendments, downloads and the notification centre —
// through the real routes, with real sessions, as each role.
import { eq } from "drizzle-orm";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import * as auditRoute from "~/routes/audit";
import * as fileRoute from "~/routes/notices.$id.files.$sha";
import * as noticeRoute from "~/routes/notices.$id";
import * as notificationsRoute from "~/routes/notifications";
import * as projectRoute from "~/routes/projects.$id";
import * as publishRoute from "~/routes/projects.$id_.publish";
import * as projectsRoute from "~/routes/projects._index";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, demoCookies, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;
let kit: Awaited<ReturnType<typeof tenderKit>>;

const orgId = async (name: string) => (await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, name)))[0].id;
const userId = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0].id;
const projectAction = (id: string, fields: Record<string, string>, cookie: string, context = ctx) =>
  run(projectRoute.action, post(`/projects/${id}`, fields, cookie), context, { id }).then(unwrap);
const noticeAction = (tenderId: string, fields: Record<string, string>, cookie: string, context = ctx) =>
  run(noticeRoute.action, post(`/notices/${tenderId}`, fields, cookie), context, { id: tenderId }).then(unwrap);
const download = (tenderId: string, sha: string, cookie?: string, context = ctx) =>
  run(fileRoute.loader, get(`/notices/${tenderId}/files/${sha}`, cookie), context, { id: tenderId, sha }) as Promise<Response>;

async function publishedTender(name: string, deadline = "2026-12-01T09:30") {
  const id = await kit.approvedProject(name);
  await kit.publish(id, tenderFields({ deadline }), c.committeeA1);
  const tender = await kit.tenderOf(id);
  const [att] = await database.db.select().from(schema.tenderAttachments).where(eq(schema.tenderAttachments.tenderId, tender.id));
  return { id, tender, sha: att.fileSha256 };
}

async function unread(cookie: string) {
  return unwrap(await run(notificationsRoute.loader, get("/notifications", cookie), ctx)).data.items.filter((n: { unread: boolean }) => n.unread);
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database); // 2026-11-20 10:00 Beijing
  c = await demoCookies(ctx);
  kit = await tenderKit(database, ctx);
});
afterAll(async () => {
  await database?.close();
});

describe("an agent acting for the committee", () => {
  it("can be appointed only from the village's own township or village, by the committee only", async () => {
    const id = await kit.approvedProject("青山村文化礼堂修缮");
    const otherTownshipAgent = await database.db
      .insert(schema.orgs)
      .values({
        kind: "agency",
        name: "溪口乡代理站",
        parentId: await orgId("溪口乡"),
        townshipId: await orgId("溪口乡"),
        countyId: await orgId("青山县"),
        createdAt: ctx.clock.now(),
      })
      .returning();
    const refused = await projectAction(id, { intent: "appoint_agent", agentOrgId: otherTownshipAgent[0].id }, c.committeeA1);
    expect(refused.data.errors.agentOrgId).toBe("errors.agent.notEligible");
    const agency = await orgId("青山镇公共资源交易代理服务站");
    // Not the supervisor, not another village's committee, not the agent itself.
    expect((await projectAction(id, { intent: "appoint_agent", agentOrgId: agency }, c.supervisorA)).data.errors.form).toBe("errors.forbidden");
    expect((await projectAction(id, { intent: "appoint_agent", agentOrgId: agency }, c.committeeA2)).status).toBe(403);
    expect((await projectAction(id, { intent: "appoint_agent", agentOrgId: agency }, c.agentA)).status).toBe(403);
    // Before the appointment the agent sees nothing of the project.
    expect(unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.agentA), ctx, { id })).status).toBe(403);

    const ok = await projectAction(id, { intent: "appoint_agent", agentOrgId: agency }, c.committeeA1);
    expect(ok.data.done).toBe("agent.appointed");
    const page = unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.agentA), ctx, { id })).data;
    expect(page.agent.name).toBe("青山镇公共资源交易代理服务站");
    expect(page.actions).toContain("publish");
    const listed = unwrap(await run(projectsRoute.loader, get("/projects", c.agentA), ctx)).data;
    expect(JSON.stringify(listed)).toContain("青山村文化礼堂修缮");
    // The agent is told in the app.
    expect((await unread(c.agentA)).map((n: { kind: string }) => n.kind)).toContain("project.agentAppointed");

    // The agent publishes for the committee; the audit row names the agent and the village it acts for.
    const res = (await kit.publish(id, tenderFields(), c.agentA)) as Response;
    expect(res.status).toBe(302);
    const [audit] = await database.query<{ actor_role: string; summary: { onBehalfOf: string } }>(
      "SELECT actor_role, summary FROM audit_log WHERE action = 'tender.publish' ORDER BY id DESC LIMIT 1",
    );
    expect(audit.actor_role).toBe("agent");
    expect(audit.summary.onBehalfOf).toBe(kit.villageId);

    // Revoked: the agent loses the project at once.
    expect((await projectAction(id, { intent: "revoke_agent" }, c.committeeA1)).data.done).toBe("agent.revoked");
    expect(unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.agentA), ctx, { id })).status).toBe(403);
    expect(JSON.stringify(unwrap(await run(projectsRoute.loader, get("/projects", c.agentA), ctx)).data)).not.toContain("青山村文化礼堂修缮");
    const actions = await database.query<{ action: string }>("SELECT action FROM audit_log WHERE object_id = $1 AND action LIKE 'project.%agent' ORDER BY id", [id]);
    expect(actions.map((a) => a.action)).toEqual(["project.appoint_agent", "project.revoke_agent"]);
  });

  it("of another project is refused on this one", async () => {
    const id = await kit.approvedProject("青山村垃圾分类亭");
    expect(unwrap(await run(publishRoute.loader, get(`/projects/${id}/publish`, c.agentVillageA1), ctx, { id })).status).toBe(403);
    expect(unwrap(await kit.publish(id, tenderFields(), c.agentVillageA1)).status).toBe(403);
  });
});

describe("the tender documents PDF", () => {
  it("is generated in Chinese at publication, stored by hash, and downloadable by a contractor", async () => {
    const { tender, sha } = await publishedTender("青山村犇牛桥（镕钢护栏）");
    expect(tender.documentPdfSha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await download(tender.id, tender.documentPdfSha256!, c.contractor1);
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get("Content-Disposition") ?? "")).toContain("招标文件-青山村犇牛桥（镕钢护栏）.pdf");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(tender.documentPdfSha256);
    const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-tender-pdf-"));
    const file = path.join(dir, "tender.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString().replace(/\s+/g, "");
    for (const expected of ["招标文件", "青山村犇牛桥（镕钢护栏）", "最高投标限价", "¥600,000.00", "2026-12-0109:30", "第二章投标人须知", "施工图纸.pdf", sha.slice(0, 16)])
      expect(text, expected).toContain(expected);
    const fonts = execFileSync("pdffonts", [file]).toString();
    expect(fonts).toMatch(/[A-Z]{6}\+NotoSerifSC/);
    expect(fonts).not.toMatch(/\bno\s+no\b/); // every font embedded and subset
    // The row naming the PDF and the file row exist together.
    const [row] = await database.query<{ size: string }>("SELECT size FROM files WHERE sha256 = $1", [tender.documentPdfSha256]);
    expect(Number(row.size)).toBe(bytes.length);
  });
});

describe("downloading the documents", () => {
  it("needs a login; contractors' downloads are recorded once, sealed from people until the deadline", async () => {
    const { tender, sha } = await publishedTender("青山村公厕改造");
    const anon = await download(tender.id, sha);
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    const first = await download(tender.id, sha, c.contractor1);
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toBe("application/pdf");
    expect(Buffer.from(await first.arrayBuffer()).toString()).toContain("%PDF-1.4");
    await download(tender.id, sha, c.contractor1);
    const rows = await database.query<{ actor_user_id: string }>("SELECT actor_user_id FROM audit_log WHERE action = 'tender.download' AND object_id = $1", [tender.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].actor_user_id).toBe(await userId(DEMO.contractor1));
    // The supervisor's audit page does not show the download at all …
    const audit = unwrap(await run(auditRoute.loader, get("/audit", c.supervisorA), ctx)).data;
    // Not even a masked row: the number of downloads is as secret as the names (§22).
    expect(audit.rows.filter((r: { action: string; object: string }) => r.action === "tender.download" && r.object.includes(tender.id.slice(0, 12)))).toEqual([]);
    // … until the deadline has passed.
    const later = makeContext(database);
    later.clock.set("2026-12-01T01:30:00Z");
    const after = unwrap(await run(auditRoute.loader, get("/audit", await cookieFor(later, DEMO.supervisorA)), later)).data;
    const revealed = after.rows.find((r: { action: string; object: string }) => r.action === "tender.download" && r.object.includes(tender.id.slice(0, 12)));
    expect(revealed.actor).toContain("陈建国");
  });

  it("refuses other villages' committees and other townships' supervisors, and unknown files", async () => {
    const { tender, sha } = await publishedTender("青山村路灯");
    expect((await download(tender.id, sha, c.committeeA2)).status).toBe(403);
    expect((await download(tender.id, sha, c.supervisorB)).status).toBe(403);
    expect((await download(tender.id, sha, c.expert1)).status).toBe(403);
    expect((await download(tender.id, sha, c.committeeA1)).status).toBe(200);
    expect((await download(tender.id, sha, c.supervisorA)).status).toBe(200);
    expect((await download(tender.id, "f".repeat(64), c.contractor1)).status).toBe(404);
  });

  it("requires 报名 first where the county turns it on", async () => {
    const countyId = await orgId("青山县");
    const settings = await getCountySettings(database.db, countyId);
    await updateCountySettings(database.db, { clock: ctx.clock, actor: SYSTEM_ACTOR, countyId, value: { ...settings, registrationStepRequired: true } });
    try {
      const { tender, sha } = await publishedTender("青山村健身广场");
      const refused = await download(tender.id, sha, c.contractor2);
      expect(refused.status).toBe(302);
      expect(refused.headers.get("Location")).toContain("needRegister=1");
      expect((await noticeAction(tender.id, { intent: "ask", question: "工期能否延长到 60 天？" }, c.contractor2)).data.errors.form).toBe("errors.qa.registerFirst");
      expect((await noticeAction(tender.id, { intent: "register" }, c.contractor2)).data.done).toBe("qa.registered");
      expect((await noticeAction(tender.id, { intent: "register" }, c.contractor2)).data.errors.form).toBe("errors.qa.alreadyRegistered");
      expect((await download(tender.id, sha, c.contractor2)).status).toBe(200);
      // A committee cannot register; nor can anyone after the deadline.
      expect((await noticeAction(tender.id, { intent: "register" }, c.committeeA1)).status).toBe(403);
      const later = makeContext(database);
      later.clock.set("2026-12-01T02:00:00Z");
      expect((await noticeAction(tender.id, { intent: "register" }, await cookieFor(later, DEMO.contractor1), later)).data.errors.form).toBe("errors.qa.closed");
      // The public page never says who or how many registered.
      const page = unwrap(await run(noticeRoute.loader, get(`/notices/${tender.id}`, c.supervisorA), ctx, { id: tender.id })).data;
      expect(JSON.stringify(page)).not.toMatch(/count|浙江|金华/i);
    } finally {
      await updateCountySettings(database.db, { clock: ctx.clock, actor: SYSTEM_ACTOR, countyId, value: { ...settings, registrationStepRequired: false } });
    }
    const { tender } = await publishedTender("古井清淤");
    expect((await noticeAction(tender.id, { intent: "register" }, c.contractor1)).data.errors.form).toBe("errors.qa.registrationOff");
  });
});

describe("questions and answers", () => {
  it("a contractor asks anonymously; the committee answers; the answer is public and reaches those with the documents", async () => {
    const { id, tender, sha } = await publishedTender("青山村河埠头");
    await download(tender.id, sha, c.contractor2); // contractor2 has the documents and will hear of answers
    const tooShort = await noticeAction(tender.id, { intent: "ask", question: "？" }, c.contractor1);
    expect(tooShort.data.errors.question).toBe("errors.qa.questionLength");
    expect(tooShort.data.question).toBe("？");
    expect((await noticeAction(tender.id, { intent: "ask", question: "河埠头石料规格是否可用本地青石？" }, c.contractor1)).data.done).toBe("qa.asked");
    // Only contractors ask.
    expect((await noticeAction(tender.id, { intent: "ask", question: "委员会自己提问可以吗？" }, c.committeeA1)).status).toBe(403);
    expect((await noticeAction(tender.id, { intent: "ask", question: "没有登录的人提问可以吗？" }, "")).status).toBe(302);

    // The committee is told, and sees the question without any trace of who asked.
    expect((await unread(c.committeeA1)).map((n: { kind: string }) => n.kind)).toContain("tender.question");
    const page = unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.committeeA1), ctx, { id })).data;
    expect(page.questions).toHaveLength(1);
    expect(JSON.stringify(page.questions)).not.toMatch(/company|asked_?by|浙江青山/i);
    const qid = page.questions[0].id;

    // Other villages, the supervisor and contractors cannot answer.
    expect((await projectAction(id, { intent: "answer", questionId: qid, [`answer-${qid}`]: "可以" }, c.committeeA2)).status).toBe(403);
    expect((await projectAction(id, { intent: "answer", questionId: qid, [`answer-${qid}`]: "可以" }, c.supervisorA)).data.errors.form).toBe("errors.forbidden");
    expect((await projectAction(id, { intent: "answer", questionId: qid, [`answer-${qid}`]: "" }, c.committeeA1)).data.errors[`answer-${qid}`]).toBe("errors.qa.answerLength");
    expect((await projectAction(id, { intent: "answer", questionId: qid, [`answer-${qid}`]: "可以，须符合图纸规格。" }, c.committeeA1)).data.done).toBe("qa.answered");
    expect((await projectAction(id, { intent: "answer", questionId: qid, [`answer-${qid}`]: "再答一次" }, c.committeeA1)).data.errors.form).toBe("errors.qa.alreadyAnswered");

    // Public, anonymous; the asker and the downloader are notified.
    const pub = unwrap(await run(noticeRoute.loader, get(`/notices/${tender.id}`), ctx, { id: tender.id })).data;
    expect(pub.answers).toEqual([expect.objectContaining({ body: "河埠头石料规格是否可用本地青石？", answer: "可以，须符合图纸规格。" })]);
    expect(JSON.stringify(pub)).not.toContain("浙江青山");
    expect((await unread(c.contractor2)).map((n: { kind: string }) => n.kind)).toContain("tender.answered");
    expect((await unread(c.contractor1)).map((n: { kind: string }) => n.kind)).toContain("tender.answered");

    // After the deadline: no more questions.
    const later = makeContext(database);
    later.clock.set("2026-12-01T01:30:00Z");
    expect((await noticeAction(tender.id, { intent: "ask", question: "截止后还能问吗？" }, await cookieFor(later, DEMO.contractor1), later)).data.errors.form).toBe(
      "errors.qa.closed",
    );
  });
});

describe("amendments", () => {
  it("extend a close deadline automatically and notify everyone concerned", async () => {
    const { id, tender, sha } = await publishedTender("青山村便民服务中心", "2026-11-26T09:30");
    await download(tender.id, sha, c.contractor1);
    const before = (await unread(c.contractor1)).length;
    const late = makeContext(database);
    late.clock.set("2026-11-24T02:00:00Z"); // 10:00 on the 24th: 2 days before, inside the 3-day window
    const res = await projectAction(
      id,
      { intent: "amend", title: "工程量清单更正", body: "第 3 项路面面积由 300 平方米更正为 320 平方米。", affectsPreparation: "on" },
      c.committeeA1,
      late,
    );
    expect(res.data.done).toBe("amend.doneExtended");
    const t = await kit.tenderOf(id);
    expect(t.deadline.toISOString()).toBe("2026-11-27T02:00:00.000Z"); // max(26th 09:30, 24th 10:00 + 3 days)
    const pub = unwrap(await run(noticeRoute.loader, get(`/notices/${tender.id}`), late, { id: tender.id })).data;
    expect(pub.notice.deadline).toBe("2026-11-27 10:00");
    expect(pub.amendments).toEqual([expect.objectContaining({ seq: 1, title: "工程量清单更正", autoExtended: true, before: "2026-11-26 09:30", after: "2026-11-27 10:00" })]);
    const notes = await unread(c.contractor1);
    expect(notes.length).toBe(before + 1);
    expect(notes[0]).toMatchObject({ kind: "tender.deadlineMoved", params: { project: "青山村便民服务中心", deadline: "2026-11-27 10:00" } });
    expect((await unread(c.supervisorA)).some((n: { kind: string }) => n.kind === "tender.deadlineMoved")).toBe(true);
    // A contractor who never downloaded is not told.
    expect((await unread(c.contractor2)).some((n: { params: { project: string } }) => n.params.project === "青山村便民服务中心")).toBe(false);
  });

  it("leave the deadline alone when early or not affecting bids; never move it earlier; only the village side amends", async () => {
    const { id } = await publishedTender("青山村村史馆布展");
    const early = await projectAction(id, { intent: "amend", title: "联系人变更", body: "联系人改为村委会主任，电话不变。", affectsPreparation: "on" }, c.committeeA1);
    expect(early.data.done).toBe("amend.done");
    const lateNoEffect = makeContext(database);
    lateNoEffect.clock.set("2026-11-30T02:00:00Z");
    expect((await projectAction(id, { intent: "amend", title: "错别字更正", body: "公告第二段“砼”字更正。" }, c.committeeA1, lateNoEffect)).data.done).toBe("amend.done");
    expect((await kit.tenderOf(id)).deadline.toISOString()).toBe("2026-12-01T01:30:00.000Z");
    const earlier = await projectAction(id, { intent: "amend", title: "提前截止", body: "截止时间提前到 11 月 28 日。", newDeadline: "2026-11-28T09:30" }, c.committeeA1);
    expect(earlier.data.errors.newDeadline).toMatchObject({ key: "errors.amend.earlier" });
    const moved = await projectAction(id, { intent: "amend", title: "截止顺延", body: "应投标人要求，截止时间顺延一周。", newDeadline: "2026-12-08T09:30" }, c.committeeA1);
    expect(moved.data.done).toBe("amend.doneMoved");
    expect((await kit.tenderOf(id)).deadline.toISOString()).toBe("2026-12-08T01:30:00.000Z");
    expect((await projectAction(id, { intent: "amend", title: "越权修改", body: "别的村来修改这个公告。" }, c.committeeA2)).status).toBe(403);
    expect((await projectAction(id, { intent: "amend", title: "监管修改", body: "乡镇监管员来修改公告。" }, c.supervisorA)).data.errors.form).toBe("errors.forbidden");
    const missing = await projectAction(id, { intent: "amend", title: "", body: "" }, c.committeeA1);
    expect(missing.data.errors).toMatchObject({ title: "errors.amend.title", body: "errors.amend.body" });
    const rows = await database.query<{ seq: number }>("SELECT seq FROM tender_amendments WHERE tender_id = (SELECT id FROM tenders WHERE project_id = $1) ORDER BY seq", [id]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});

describe("the notification centre", () => {
  it("counts unread in the header and marks only the user's own notifications read", async () => {
    const rootLoader = (await import("~/root")).loader;
    const count = async (cookie: string) => unwrap(await run(rootLoader, get("/", cookie), ctx)).data.unread;
    const mine = await unread(c.committeeA1);
    expect(mine.length).toBeGreaterThan(0);
    expect(await count(c.committeeA1)).toBe(mine.length);
    const supervisorBefore = await count(c.supervisorA);
    // Someone else's id does nothing.
    await run(notificationsRoute.action, post("/notifications", { id: mine[0].id }, c.supervisorA), ctx);
    expect(await count(c.committeeA1)).toBe(mine.length);
    await run(notificationsRoute.action, post("/notifications", { id: mine[0].id }, c.committeeA1), ctx);
    expect(await count(c.committeeA1)).toBe(mine.length - 1);
    await run(notificationsRoute.action, post("/notifications", {}, c.committeeA1), ctx);
    expect(await count(c.committeeA1)).toBe(0);
    expect(await count(c.supervisorA)).toBe(supervisorBefore);
    expect(unwrap(await run(notificationsRoute.loader, get("/notifications"), ctx)).status).toBe(302);
  });
});
