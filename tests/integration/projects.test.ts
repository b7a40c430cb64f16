import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as newRoute from "~/routes/projects.new";
import * as projectRoute from "~/routes/projects.$id";
import * as editRoute from "~/routes/projects.$id_.edit";
import * as listRoute from "~/routes/projects._index";
import * as fileRoute from "~/routes/projects.$id.files.$step";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";
import { demoCookies, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let c: Record<keyof typeof DEMO, string>;

const PDF = (label: string) => new File([`%PDF-1.4\n% ${label}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`], `${label}.pdf`, { type: "application/pdf" });
const STEPS = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"];

function projectForm(overrides: Record<string, string | File | null> = {}): FormData {
  const f = new FormData();
  const fields: Record<string, string | File | null> = {
    intent: "save",
    name: "青山村村道硬化工程（一期）",
    type: "works",
    location: "青山村东组至西组",
    scope: "村道水泥硬化 800 米，宽 4.5 米",
    estimate: "600000",
    ceiling: "580000",
    fundingSource: "省级衔接资金",
    durationDays: "60",
    method: "open_selection",
    "villagers_meeting.eligible": "45",
    "villagers_meeting.attended": "36",
    "villagers_meeting.votesFor": "33",
  };
  STEPS.forEach((s, i) => {
    fields[`${s}.day`] = `2026-10-${String(12 + i * 2).padStart(2, "0")}`;
    fields[`${s}.file`] = PDF(s);
  });
  for (const [k, v] of Object.entries({ ...fields, ...overrides })) if (v !== null) f.append(k, v);
  return f;
}

function multipart(path: string, form: FormData, cookie: string) {
  return new Request(new URL(path, ORIGIN), { method: "POST", body: form, headers: { Cookie: cookie, Origin: ORIGIN } });
}

async function create(form: FormData, cookie = c.committeeA1): Promise<string> {
  const res = (await run(newRoute.action, multipart("/projects/new", form, cookie), ctx)) as Response;
  expect(res.status, JSON.stringify(unwrap(res).data)).toBe(302);
  return res.headers
    .get("Location")!
    .replace(/^\/projects\//, "")
    .replace(/\?.*/, "");
}

async function state(id: string) {
  const [row] = await database.query<{ state: string }>("SELECT state FROM projects WHERE id = $1", [id]);
  return row?.state;
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  c = await demoCookies(ctx);
});
afterAll(async () => {
  await database?.close();
});

describe("registering a project", () => {
  it("saves a draft with its decision documents, stored by hash, and audits it", async () => {
    const id = await create(projectForm());
    expect(await state(id)).toBe("draft");
    const docs = await database.query<{ step: string; file_sha256: string }>("SELECT step, file_sha256 FROM project_decisions WHERE project_id = $1", [id]);
    expect(docs).toHaveLength(5);
    for (const d of docs) expect(await ctx.files.has(d.file_sha256)).toBe(true);
    const [audit] = await database.query<{ action: string }>("SELECT action FROM audit_log WHERE object_id = $1", [id]);
    expect(audit.action).toBe("project.create");
  });

  it("refuses a file that is not a PDF whatever its name, keeps what was typed, and saves nothing", async () => {
    const before = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM projects");
    const fake = new File(["MZ this is an exe"], "决议.pdf", { type: "application/pdf" });
    const res = unwrap(await run(newRoute.action, multipart("/projects/new", projectForm({ "proposal.file": fake }), c.committeeA1), ctx));
    expect(res.status).toBe(400);
    expect(res.data.errors["proposal.file"]).toBe("errors.upload.notPdf");
    expect(res.data.typed.name).toBe("青山村村道硬化工程（一期）");
    const after = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM projects");
    expect(after[0].n).toBe(before[0].n);
  });

  it("refuses a file larger than the county's limit", async () => {
    await database.query(
      `INSERT INTO county_settings (county_id, values, updated_at) SELECT county_id, '{"uploadMaxMegabytes": 1}', now() FROM orgs WHERE kind = 'village' LIMIT 1 ON CONFLICT (county_id) DO UPDATE SET values = '{"uploadMaxMegabytes": 1}'`,
    );
    try {
      const big = new File([Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(1024 * 1024 + 10)])], "big.pdf");
      const res = unwrap(await run(newRoute.action, multipart("/projects/new", projectForm({ "proposal.file": big }), c.committeeA1), ctx));
      expect(res.data.errors["proposal.file"]).toBe("errors.upload.tooLarge");
    } finally {
      await database.query(`DELETE FROM county_settings`);
    }
  });

  it("refuses a project at the mandatory-tendering threshold, naming it", async () => {
    const res = unwrap(await run(newRoute.action, multipart("/projects/new", projectForm({ estimate: "4000000", ceiling: "3900000" }), c.committeeA1), ctx));
    expect(res.status).toBe(400);
    expect(res.data.errors.estimate).toEqual({ key: "errors.project.mandatory", values: { threshold: "¥4,000,000.00" } });
  });

  it("refuses a method the band does not allow, and a ceiling above the estimate", async () => {
    const method = unwrap(await run(newRoute.action, multipart("/projects/new", projectForm({ method: "direct_award" }), c.committeeA1), ctx));
    expect(method.data.errors.method).toBe("errors.project.methodNotAllowed");
    const ceiling = unwrap(await run(newRoute.action, multipart("/projects/new", projectForm({ ceiling: "700000" }), c.committeeA1), ctx));
    expect(ceiling.data.errors.ceiling).toBe("errors.project.ceilingAboveEstimate");
  });
});

describe("submitting and approving", () => {
  it("checks quorum and majority before a project can be submitted", async () => {
    const id = await create(
      projectForm({ name: "石桥村水塘清淤", location: "石桥村", scope: "清淤 2000 立方", "villagers_meeting.attended": "20", "villagers_meeting.votesFor": "18" }),
    );
    const res = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "submit" }, c.committeeA1), ctx, { id }));
    expect(res.status).toBe(400);
    expect(res.data.errors["villagers_meeting.attended"]).toEqual({ key: "errors.project.quorum", values: { ratio: "2/3" } });
    expect(await state(id)).toBe("draft");
  });

  it("lets the township's supervisor approve, and only them", async () => {
    const id = await create(projectForm({ name: "竹林村文化礼堂修缮", location: "竹林村礼堂", scope: "屋面翻修", intent: "submit" }));
    expect(await state(id)).toBe("submitted");
    // The other township's supervisor cannot even see it; the committee cannot approve its own project.
    expect(unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.supervisorB), ctx, { id })).status).toBe(403);
    expect(unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve" }, c.supervisorB), ctx, { id })).status).toBe(403);
    const own = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve" }, c.committeeA1), ctx, { id }));
    expect(own.data.errors.form).toMatchObject({ key: "errors.transition.role" });
    // Contractors and experts are refused outright.
    expect(unwrap(await run(projectRoute.loader, get(`/projects/${id}`, c.contractor1), ctx, { id })).status).toBe(403);
    expect(unwrap(await run(listRoute.loader, get(`/projects`, c.expert1), ctx)).status).toBe(403);
    // The supervisor sees it in the queue and approves.
    const queue = unwrap(await run(listRoute.loader, get("/projects", c.supervisorA), ctx)).data.queue;
    expect(queue.map((q: { id: string }) => q.id)).toContain(id);
    const ok = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "approve" }, c.supervisorA), ctx, { id }));
    expect(ok.data.done).toBe("project.done.approve");
    expect(await state(id)).toBe("approved");
    const audit = await database.query<{ action: string; actor_role: string; ip: string }>("SELECT action, actor_role, ip FROM audit_log WHERE object_id = $1 ORDER BY id", [id]);
    expect(audit.map((a) => a.action)).toEqual(["project.create", "project.submit", "project.approve"]);
    expect(audit[2]).toMatchObject({ actor_role: "supervisor", ip: "203.0.113.7" });
    // Approved: no more edits.
    const again = await run(editRoute.loader, get(`/projects/${id}/edit`, c.committeeA1), ctx, { id });
    expect((again as Response).status).toBe(302);
  });

  it("returns with a reason, after which the committee can edit and resubmit", async () => {
    const id = await create(
      projectForm({ name: "青山村路灯采购安装", type: "goods", location: "青山村主干道", scope: "太阳能路灯 40 盏", estimate: "150000", ceiling: "150000", intent: "submit" }),
    );
    const noReason = unwrap(await run(projectRoute.action, post(`/projects/${id}`, { intent: "return", reason: "" }, c.supervisorA), ctx, { id }));
    expect(noReason.data.errors.reason).toBe("errors.project.reasonRequired");
    await run(projectRoute.action, post(`/projects/${id}`, { intent: "return", reason: "请补充路灯型号和数量清单" }, c.supervisorA), ctx, { id });
    expect(await state(id)).toBe("returned");
    // Another village's committee may not touch it.
    expect(unwrap(await run(editRoute.loader, get(`/projects/${id}/edit`, c.committeeB1), ctx, { id })).status).toBe(403);
    const edit = multipart(
      `/projects/${id}/edit`,
      projectForm({
        name: "青山村路灯采购安装",
        type: "goods",
        location: "青山村主干道",
        scope: "太阳能路灯 40 盏（型号见清单）",
        estimate: "150000",
        ceiling: "150000",
        "proposal.file": null,
        intent: "submit",
      }),
      c.committeeA1,
    );
    const res = (await run(editRoute.action, edit, ctx, { id })) as Response;
    expect(res.status).toBe(302);
    expect(await state(id)).toBe("submitted");
  });

  it("warns of splitting and approves it only with a written justification", async () => {
    const first = await create(projectForm({ name: "梅岭村机耕路硬化（一期）", location: "梅岭村", scope: "机耕路硬化", estimate: "600000", ceiling: "600000" }), c.committeeB1);
    const second = await create(
      projectForm({ name: "梅岭村机耕路硬化（二期）", location: "梅岭村", scope: "机耕路硬化", estimate: "500000", ceiling: "500000", intent: "submit" }),
      c.committeeB1,
    );
    void first;
    const page = unwrap(await run(projectRoute.loader, get(`/projects/${second}`, c.supervisorB), ctx, { id: second })).data;
    expect(page.project.splitting.related.map((r: { id: string }) => r.id)).toEqual([first]);
    expect(page.project.splitting.limitFen).toBe(100_000_000);
    const bare = unwrap(await run(projectRoute.action, post(`/projects/${second}`, { intent: "approve", reason: "同意" }, c.supervisorB), ctx, { id: second }));
    expect(bare.data.errors.reason).toBe("errors.project.justificationRequired");
    expect(await state(second)).toBe("submitted");
    const why = "两期路段分属不同年度资金，已经县农业农村局批复分期实施。";
    await run(projectRoute.action, post(`/projects/${second}`, { intent: "approve", reason: why }, c.supervisorB), ctx, { id: second });
    expect(await state(second)).toBe("approved");
    const [row] = await database.query<{ splitting_justification: string }>("SELECT splitting_justification FROM projects WHERE id = $1", [second]);
    expect(row.splitting_justification).toBe(why);
  });
});

describe("decision documents", () => {
  it("are served to those who may read the project, and to nobody else", async () => {
    const id = await create(projectForm({ name: "青山村垃圾分类亭", location: "青山村", scope: "分类亭 6 座", estimate: "80000", ceiling: "80000", method: "self_build" }));
    const ok = (await run(fileRoute.loader, get(`/projects/${id}/files/proposal`, c.supervisorA), ctx, { id, step: "proposal" })) as Response;
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Content-Type")).toBe("application/pdf");
    expect((await ok.text()).startsWith("%PDF-")).toBe(true);
    for (const who of ["supervisorB", "committeeB1", "contractor1"] as const) {
      expect(unwrap(await run(fileRoute.loader, get(`/projects/${id}/files/proposal`, c[who]), ctx, { id, step: "proposal" })).status, who).toBe(403);
    }
  });
});
