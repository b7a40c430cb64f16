import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as publishRoute from "~/routes/projects.$id_.publish";
import * as projectRoute from "~/routes/projects.$id";
import * as noticesRoute from "~/routes/notices._index";
import * as noticeRoute from "~/routes/notices.$id";
import * as templatesRoute from "~/routes/admin.templates";
import { closeDueTenders } from "~/models/tender.server";
import { runJobOnce } from "~/utils/scheduler.server";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";
import { demoCookies, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;

let approvedProject: Awaited<ReturnType<typeof tenderKit>>["approvedProject"];
let publish: Awaited<ReturnType<typeof tenderKit>>["publish"];

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database); // 2026-11-20 10:00 Beijing
  c = await demoCookies(ctx);
  const kit = await tenderKit(database, ctx);
  ({ approvedProject, publish } = kit);
});
afterAll(async () => {
  await database?.close();
});

describe("publishing a tender notice", () => {
  it("enforces the county's rules, each with a clear reason", async () => {
    const id = await approvedProject("青山村停车场铺装");
    const cases: [Record<string, string>, string, unknown][] = [
      [{ deadline: "2026-11-23T09:30" }, "deadline", { key: "errors.tender.deadlineTooSoon" }],
      [{ bidSecurity: "20000" }, "bidSecurity", { key: "errors.tender.securityCap", values: { cap: "¥12,000.00" } }],
      [{ qualificationClass: "注册资本不少于 500 万元" }, "qualificationClass", "errors.tender.registeredCapital"],
      [{ otherRequirements: "须有注册资金 100 万" }, "otherRequirements", "errors.tender.registeredCapital"],
      [{ panelSize: "4" }, "panelSize", { key: "errors.tender.panel" }],
      [{ coefficient: "70" }, "coefficient", "errors.tender.coefficient"],
      [{ decryptionWindowMinutes: "2" }, "decryptionWindowMinutes", "errors.tender.window"],
    ];
    for (const [over, field, expected] of cases) {
      const res = unwrap(await publish(id, tenderFields(over), c.committeeA1));
      expect(res.status, field).toBe(400);
      if (typeof expected === "string") expect(res.data.errors[field], field).toBe(expected);
      else expect(res.data.errors[field], field).toMatchObject(expected as object);
    }
    const [row] = await database.query<{ state: string }>("SELECT state FROM projects WHERE id = $1", [id]);
    expect(row.state).toBe("approved");
  });

  it("is refused to everyone but the project's own committee", async () => {
    const id = await approvedProject("青山村小公园");
    expect(unwrap(await publish(id, tenderFields(), c.committeeB1)).status).toBe(403);
    expect(unwrap(await publish(id, tenderFields(), c.supervisorA)).status).toBe(403);
    expect(unwrap(await publish(id, tenderFields(), c.contractor1)).status).toBe(403);
    expect(unwrap(await run(publishRoute.loader, get(`/projects/${id}/publish`, c.committeeB1), ctx, { id })).status).toBe(403);
  });

  it("publishes from the current template version and shows on the public pages, without login", async () => {
    // The administrator saves a new template version first; the tender must record it.
    const saved = unwrap(
      await run(
        templatesRoute.action,
        post(
          "/admin/templates",
          { title: "示范文本（2026 修订）", body: "招标人：{{village}}。项目：{{projectName}}。截止：{{deadline}}。保证金：{{bidSecurity}}。", note: "简化" },
          c.countyAdmin,
        ),
        ctx,
      ),
    );
    expect(saved.data.saved).toBeGreaterThanOrEqual(1);
    const bad = unwrap(await run(templatesRoute.action, post("/admin/templates", { title: "x示范", body: "项目：{{projectNmae}} 错字的占位符………………" }, c.countyAdmin), ctx));
    expect(bad.data.errors.body).toBe("errors.template.placeholder");
    expect(unwrap(await run(templatesRoute.action, post("/admin/templates", { title: "越权", body: "x".repeat(30) }, c.supervisorA), ctx)).status).toBe(403);

    const id = await approvedProject("青山村村口道路拓宽");
    const res = (await publish(id, tenderFields(), c.committeeA1)) as Response;
    expect(res.status).toBe(302);
    const [tender] = await database.query<{ id: string; template_version: number; document_text: string; bid_security_fen: string; draw_commitment: string }>(
      "SELECT id, template_version, document_text, bid_security_fen, draw_commitment FROM tenders WHERE project_id = $1",
      [id],
    );
    expect(tender.template_version).toBe(saved.data.saved);
    // The template's text, then the township supervision's commitment to the draw secret (ADR 0015).
    expect(tender.document_text).toBe(
      `招标人：青山村。项目：青山村村口道路拓宽。截止：2026-12-01 09:30。保证金：¥6,000.00。\n\n随机抽取及同分排序承诺值（乡镇监督机构，SHA-256）：${tender.draw_commitment}\n该秘密值在评审小组锁定合格投标人名单后公开，任何人可据此重算抽取结果。`,
    );
    expect(tender.draw_commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(tender.bid_security_fen)).toBe(600_000);

    const list = unwrap(await run(noticesRoute.loader, get("/notices?status=open&q=村口"), ctx)).data;
    expect(list.notices.map((n: { id: string }) => n.id)).toEqual([tender.id]);
    const page = unwrap(await run(noticeRoute.loader, get(`/notices/${tender.id}`), ctx, { id: tender.id })).data;
    expect(page.notice.state).toBe("published");
    expect(page.notice.remainingMs).toBe(new Date("2026-12-01T01:30:00Z").getTime() - ctx.clock.now().getTime());
    expect(page.attachments.map((a: { name: string }) => a.name)).toEqual(["施工图纸.pdf"]);
    // Before the deadline, nothing about bidders is on the public page at all.
    expect(JSON.stringify(page)).not.toMatch(/bid(der)?s?Count|registered/i);
  });

  it("does not list projects that are not yet public", async () => {
    const list = unwrap(await run(noticesRoute.loader, get("/notices?q=停车场"), ctx)).data;
    expect(list.notices).toHaveLength(0);
  });
});

describe("the deadline", () => {
  it("closes bidding exactly at the instant, before and after the scheduler has run", async () => {
    const id = await approvedProject("青山村排水沟");
    await publish(id, tenderFields({ deadline: "2026-11-28T10:00" }), c.committeeA1);
    const [t] = await database.query<{ id: string }>("SELECT id FROM tenders WHERE project_id = $1", [id]);
    const later = makeContext(database);
    later.clock.set("2026-11-28T02:00:00Z"); // 10:00 Beijing: the deadline itself
    const page = unwrap(await run(noticeRoute.loader, get(`/notices/${t.id}`), later, { id: t.id })).data;
    expect(page.notice.state).toBe("opening");
    const open = unwrap(await run(noticesRoute.loader, get("/notices?status=open&q=排水沟"), later)).data;
    expect(open.notices).toHaveLength(0);
    // The scheduler then records it once, with an audit row; running it again changes nothing.
    expect(await runJobOnce(database.db, later.clock, { name: "close-bidding", everyMs: 1, run: closeDueTenders })).toBe(true);
    expect(await closeDueTenders(database.db, later.clock)).toBe(0);
    const [row] = await database.query<{ state: string }>("SELECT state FROM projects WHERE id = $1", [id]);
    expect(row.state).toBe("opening");
    const audit = await database.query<{ action: string }>("SELECT action FROM audit_log WHERE object_id = $1 AND action = 'project.close_bidding'", [id]);
    expect(audit).toHaveLength(1);
  });
});

describe("cancellation", () => {
  it("needs the supervisor's approval and then shows as cancelled publicly", async () => {
    const id = await approvedProject("青山村旧仓库改造");
    await publish(id, tenderFields(), c.committeeA1);
    const [t] = await database.query<{ id: string }>("SELECT id FROM tenders WHERE project_id = $1", [id]);
    const noReason = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "request_cancel", reason: "" }, c.committeeA1), ctx, { id }));
    expect(noReason.data.errors.reason).toBe("errors.project.reasonRequired");
    await run(projectRoute.action, post(`/projects/${id}`, { intent: "request_cancel", reason: "上级资金调整，项目暂缓" }, c.committeeA1), ctx, { id });
    // The committee cannot approve its own request; the other township cannot either.
    const self = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve_cancel" }, c.committeeA1), ctx, { id }));
    expect(self.data.errors.form).toMatchObject({ key: "errors.transition.role" }); // one refusal for every transition, naming the action and state
    expect(unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve_cancel" }, c.supervisorB), ctx, { id })).status).toBe(403);
    await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve_cancel", reason: "同意" }, c.supervisorA), ctx, { id });
    const page = unwrap(await run(noticeRoute.loader, get(`/notices/${t.id}`), ctx, { id: t.id })).data;
    expect(page.notice.state).toBe("cancelled");
    expect(page.notice.cancelReason).toBe("上级资金调整，项目暂缓");
    const cancelled = unwrap(await run(noticesRoute.loader, get("/notices?status=cancelled"), ctx)).data;
    expect(cancelled.notices.map((n: { id: string }) => n.id)).toContain(t.id);
  });

  it("when rejected, returns the project to where it was", async () => {
    const id = await approvedProject("青山村凉亭");
    await run(projectRoute.action, post(`/projects/${id}`, { intent: "request_cancel", reason: "重复立项" }, c.committeeA1), ctx, { id });
    await run(projectRoute.action, post(`/projects/${id}`, { intent: "reject_cancel", reason: "不属于重复立项" }, c.supervisorA), ctx, { id });
    const [row] = await database.query<{ state: string }>("SELECT state FROM projects WHERE id = $1", [id]);
    expect(row.state).toBe("approved");
  });
});
