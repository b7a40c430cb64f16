// The evaluation workspace through its routes, the way a browser without JavaScript
// uses it: a drawn and accepted panel hands in its qualification checks as plain form
// posts, asks a bidder for a clarification (answered on the bidder's own page), the
// township supervisor reveals the secret, the members give opinions, the host records
// a silent member, the report is rendered. Every step is refused to the wrong role,
// and nobody outside the panel, the host and the township's supervision gets a page,
// a bid file or the report.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declare, drawPanel } from "~/models/panel.server";
import * as evaluationRoute from "~/routes/evaluations.$id";
import * as fileRoute from "~/routes/evaluations.$id.files.$sha";
import * as reportRoute from "~/routes/evaluations.$id.report";
import * as signRoute from "~/routes/evaluations.$id_.sign";
import * as clarifyRoute from "~/routes/notices.$id_.clarify";
import * as panelRoute from "~/routes/panels.$id";
import * as bidRoute from "~/routes/notices.$id_.bid";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { closedOpening } from "../helpers/opening";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let opened: Awaited<ReturnType<typeof closedOpening>>;
let tenderId: string;
/** The three sitting members, in panel order. */
let members: { id: string; name: string; phone: string }[];
/** An expert of the county pool who is not on this panel. */
let outsiderPhone: string;
/** A second tender, evaluated by comprehensive scoring, and its panel. */
let scored: { tenderId: string; members: { id: string; name: string; phone: string }[] };

const cookies = new Map<string, string>();
async function as(phone: string) {
  if (!cookies.has(phone)) cookies.set(phone, await cookieFor(ctx, phone));
  return cookies.get(phone)!;
}

const page = (id = tenderId) => `/evaluations/${id}`;
async function load(phone?: string, id = tenderId) {
  return unwrap(await run(evaluationRoute.loader, get(page(id), phone ? await as(phone) : undefined), ctx, { id }));
}
async function act(phone: string, fields: Record<string, string>, id = tenderId) {
  return unwrap(await run(evaluationRoute.action, post(page(id), fields, await as(phone)), ctx, { id }));
}
async function fetchFile(sha: string, phone?: string) {
  return (await run(fileRoute.loader, get(`${page()}/files/${sha}`, phone ? await as(phone) : undefined), ctx, { id: tenderId, sha })) as Response;
}
async function fetchReport(phone?: string) {
  return (await run(reportRoute.loader, get(`${page()}/report`, phone ? await as(phone) : undefined), ctx, { id: tenderId })) as Response;
}

/** Every intent, with enough fields that only the role decides. */
function everyIntent(bidId: string, expertId: string): Record<string, string>[] {
  return [
    { intent: "checks", [`pass-${bidId}`]: "yes" },
    { intent: "clarify", bidId, question: "请说明报价明显偏低的原因", hours: "24" },
    { intent: "reveal" },
    { intent: "scores", [`score-${bidId}`]: "30" },
    { intent: "review" },
    { intent: "explain", bidId, explanation: "评分依据充分" },
    { intent: "acceptReplacement", bidId },
    { intent: "opinion", agree: "yes" },
    { intent: "silence", expertId, note: "电话联系未果" },
  ];
}

/** What an intent could change: nothing of it may appear after a refusal. */
async function evaluationFootprint() {
  const db = database.db;
  return {
    evaluation: await db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, tenderId)),
    members: await db.select().from(schema.evaluationMembers).where(eq(schema.evaluationMembers.tenderId, tenderId)),
    checks: await db.select().from(schema.qualificationChecks).where(eq(schema.qualificationChecks.tenderId, tenderId)),
    clarifications: await db.select().from(schema.clarifications).where(eq(schema.clarifications.tenderId, tenderId)),
    secret: await db.select().from(schema.drawSecrets).where(eq(schema.drawSecrets.tenderId, tenderId)),
  };
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  opened = await closedOpening(database, ctx, "村文化礼堂修缮");
  tenderId = opened.tenderId;
  const second = await closedOpening(database, ctx, "村口公厕改造", undefined, { evaluationMethod: "comprehensive", priceWeight: "60" });
  const users = await database.db.select().from(schema.users);
  async function panelOf(id: string, seed: string) {
    const drawn = await drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: id, opts: { seed } });
    for (const e of drawn.members)
      await declare(database.db, { clock: ctx.clock, actor: { userId: e, role: "expert" as const, ip: "203.0.113.9" }, tenderId: id, input: { accept: true } });
    return drawn.members.map((e) => {
      const u = users.find((x) => x.id === e)!;
      return { id: e, name: u.name, phone: u.phone };
    });
  }
  members = await panelOf(tenderId, "cd".repeat(32));
  scored = { tenderId: second.tenderId, members: await panelOf(second.tenderId, "ef".repeat(32)) };
  const experts = await database.db.select().from(schema.experts);
  outsiderPhone = users.find((u) => u.id === experts.find((e) => !members.some((m) => m.id === e.userId))!.userId)!.phone;
});

afterAll(async () => {
  await database?.close();
});

describe("who gets in", () => {
  it("shows the page to the members, the host and the township's supervision, and to nobody else", async () => {
    const anonymous = await load();
    expect(anonymous.status).toBe(302);
    for (const phone of [DEMO.contractor1, outsiderPhone, DEMO.supervisorB, DEMO.committeeA2, DEMO.committeeB1]) {
      expect((await load(phone)).status, phone).toBe(403);
    }
    const seen = { member: members[0].phone, host: DEMO.committeeA1, supervisor: DEMO.supervisorA } as const;
    for (const [role, phone] of Object.entries(seen)) {
      const { status, data } = await load(phone);
      expect(status, role).toBe(200);
      expect(data.role).toBe(role);
      expect(data.stage).toBe("checking");
      expect(data.members.map((m: { name: string }) => m.name)).toEqual(members.map((m) => m.name));
      expect(data.bids).toHaveLength(3);
      expect(data.tender.qualificationClass).toContain("资质");
    }
    expect((await load(DEMO.countyAdmin)).data.role).toBe("supervisor");
    // The panel page leads there once the panel is in place.
    const panel = unwrap(await run(panelRoute.loader, get(`/panels/${tenderId}`, await as(DEMO.committeeA1)), ctx, { id: tenderId }));
    expect(panel.data.panel).toBeTruthy();
  });

  it("refuses every intent from a wrong role, and changes nothing", async () => {
    const before = await evaluationFootprint();
    const { data } = await load(members[0].phone);
    const intents = everyIntent(data.bids[0].bidId, members[0].id);
    // A bidder, the county administrator, an expert not on the panel, another township's supervisor, another village.
    for (const phone of [DEMO.contractor1, DEMO.countyAdmin, outsiderPhone, DEMO.supervisorB, DEMO.committeeA2]) {
      for (const fields of intents) expect((await act(phone, fields)).status, `${phone} ${fields.intent}`).toBe(403);
    }
    // Inside, each role may only do its own part.
    for (const fields of intents.filter((f) => f.intent !== "silence")) expect((await act(DEMO.committeeA1, fields)).status, `host ${fields.intent}`).toBe(403);
    for (const fields of intents.filter((f) => f.intent !== "reveal")) expect((await act(DEMO.supervisorA, fields)).status, `supervisor ${fields.intent}`).toBe(403);
    for (const fields of intents.filter((f) => f.intent === "reveal" || f.intent === "silence"))
      expect((await act(members[0].phone, fields)).status, `member ${fields.intent}`).toBe(403);
    expect(await evaluationFootprint()).toEqual(before);
    expect(before.evaluation).toEqual([]);
  });
});

describe("qualification checks", () => {
  it("takes a member's checks from the plain form, and asks for a reason for each rejection", async () => {
    const { data } = await load(members[0].phone);
    const [b0, b1, b2] = data.bids.map((b: { bidId: string }) => b.bidId);
    const missing = await act(members[0].phone, { intent: "checks", [`pass-${b0}`]: "no", [`reason-${b0}`]: "", [`pass-${b1}`]: "yes", [`pass-${b2}`]: "yes" });
    expect(missing.status).toBe(400);
    expect(missing.data.errors[`reason-${b0}`]).toBeTruthy();
    expect(missing.data.values[`pass-${b0}`]).toBe("no"); // the form comes back filled in
    const partial = await act(members[0].phone, { intent: "checks", [`pass-${b0}`]: "yes" });
    expect(partial.data.errors.form).toBe("errors.evaluation.checkEveryBid");

    const ok = await act(members[0].phone, {
      intent: "checks",
      [`pass-${b0}`]: "no",
      [`reason-${b0}`]: "项目经理证书与投标文件不符",
      [`pass-${b1}`]: "yes",
      [`pass-${b2}`]: "yes",
      [`reason-${b2}`]: "",
    });
    expect(ok).toMatchObject({ status: 200, data: { done: "checks" } });
    expect((await act(members[0].phone, { intent: "checks", [`pass-${b0}`]: "yes", [`pass-${b1}`]: "yes", [`pass-${b2}`]: "yes" })).status).toBe(409);

    const own = (await load(members[0].phone)).data;
    expect(own.mine.checksAt).toBeTruthy();
    expect(own.checks).toHaveLength(3);
    expect(own.checks.find((c: { bidId: string }) => c.bidId === b0)).toMatchObject({ pass: false, reason: "项目经理证书与投标文件不符" });
    expect(own.members[0].checks).toBe(true);
  });

  it("does not show a member who has not handed in, nor the host, anyone else's checks", async () => {
    for (const phone of [members[1].phone, DEMO.committeeA1, DEMO.supervisorA]) {
      const { data } = await load(phone);
      expect(data.checks, phone).toEqual([]);
      expect(JSON.stringify(data), phone).not.toContain("项目经理证书与投标文件不符");
    }
  });
});

describe("clarifications", () => {
  it("go from a member's form to the bidder's own page, and the answer back, without JavaScript", async () => {
    const bidder = opened.bidders[1];
    const other = opened.bidders[0];
    const { data } = await load(members[1].phone);
    const bidId = data.bids.find((b: { company: string }) => b.company === bidder.companyName).bidId;
    const tooLong = await act(members[1].phone, { intent: "clarify", bidId, question: "请说明报价构成", hours: "100" });
    expect(tooLong.status).toBe(400);
    expect(tooLong.data.errors.hours).toBe("errors.evaluation.clarifyHours");
    expect((await act(members[1].phone, { intent: "clarify", bidId, question: "请说明报价构成", hours: "24" })).data.done).toBe("clarify");

    const url = `/notices/${tenderId}/clarify`;
    const bidderCookie = await cookieFor(ctx, bidder.phone);
    const seen = unwrap(await run(clarifyRoute.loader, get(url, bidderCookie), ctx, { id: tenderId }));
    expect(seen.data.clarifications).toHaveLength(1);
    expect(seen.data.clarifications[0]).toMatchObject({ question: "请说明报价构成", open: true, answer: null });
    expect(JSON.stringify(seen.data)).not.toContain(members[1].name); // the bidder never learns who asked
    const clarificationId = seen.data.clarifications[0].id;

    // Another bidder sees none of it and cannot answer for the company; other roles are refused the page.
    const otherCookie = await cookieFor(ctx, other.phone);
    expect(unwrap(await run(clarifyRoute.loader, get(url, otherCookie), ctx, { id: tenderId })).data.clarifications).toEqual([]);
    const forged = unwrap(await run(clarifyRoute.action, post(url, { intent: "answer", id: clarificationId, answer: "冒名答复" }, otherCookie), ctx, { id: tenderId }));
    expect(forged.status).toBe(403);
    for (const phone of [members[1].phone, DEMO.committeeA1, DEMO.supervisorA]) {
      expect(unwrap(await run(clarifyRoute.loader, get(url, await as(phone)), ctx, { id: tenderId })).status, phone).toBe(403);
    }

    const answered = unwrap(
      await run(clarifyRoute.action, post(url, { intent: "answer", id: clarificationId, answer: "报价含材料费和人工费，明细见投标文件第3页。" }, bidderCookie), ctx, {
        id: tenderId,
      }),
    );
    expect(answered).toMatchObject({ status: 200, data: { done: true } });
    expect(unwrap(await run(clarifyRoute.action, post(url, { intent: "answer", id: clarificationId, answer: "再答一次" }, bidderCookie), ctx, { id: tenderId })).status).toBe(409);
    for (const phone of [members[0].phone, DEMO.committeeA1]) {
      const c = (await load(phone)).data.clarifications;
      expect(c).toHaveLength(1);
      expect(c[0]).toMatchObject({ company: bidder.companyName, askedBy: members[1].name, answer: "报价含材料费和人工费，明细见投标文件第3页。" });
    }
    // The bidder's page links to it while the tender is being evaluated.
    expect(unwrap(await run(bidRoute.loader, get(`/notices/${tenderId}/bid`, bidderCookie), ctx, { id: tenderId })).data.evaluating).toBe(true);
  });
});

describe("bid files and the report", () => {
  it("serve an opened bid's files and the tender document to the panel, the host and the supervisor only", async () => {
    const { data } = await load(members[0].phone);
    const file = data.bids[0].files[0];
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const phone of [members[0].phone, DEMO.committeeA1, DEMO.supervisorA]) {
      const res = await fetchFile(file.sha256, phone);
      expect(res.status, phone).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("application/pdf");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Content-Disposition")).toBe(`inline; filename*=UTF-8''${encodeURIComponent(file.name)}`);
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 5)
          .toString("latin1"),
      ).toBe("%PDF-");
    }
    expect((await fetchFile(data.tender.documentPdf, members[0].phone)).status).toBe(200);
    expect((await fetchFile(file.sha256)).status).toBe(302);
    for (const phone of [DEMO.contractor1, outsiderPhone, DEMO.supervisorB, DEMO.committeeA2]) expect((await fetchFile(file.sha256, phone)).status, phone).toBe(403);
    // Only files of the bids under evaluation: not a sealed container, not any other stored file.
    const [version] = await database.db.select().from(schema.bidVersions).where(eq(schema.bidVersions.submittedBy, opened.bidders[0].userId));
    for (const sha of [version.ciphertextSha256!, "0".repeat(64), "not-a-sha"]) expect((await fetchFile(sha, members[0].phone)).status, sha).toBe(404);
  });

  it("has no report before the opinions are in, and never shows one to outsiders", async () => {
    expect((await fetchReport(members[0].phone)).status).toBe(404);
    for (const phone of [DEMO.contractor1, outsiderPhone, DEMO.supervisorB]) expect((await fetchReport(phone)).status, phone).toBe(403);
  });
});

describe("locking the list and the secret", () => {
  it("locks the qualified list at the last hand-in and then shows everyone's checks", async () => {
    const { data } = await load(members[1].phone);
    const fields = Object.fromEntries(data.bids.map((b: { bidId: string }) => [`pass-${b.bidId}`, "yes"]));
    expect((await act(members[1].phone, { intent: "checks", ...fields })).data.done).toBe("checks");
    expect((await load(members[1].phone)).data.checks).toHaveLength(6);
    expect((await load(members[2].phone)).data.checks).toEqual([]);
    expect((await act(members[2].phone, { intent: "checks", ...fields })).data.done).toBe("checks");
    for (const phone of [members[0].phone, DEMO.committeeA1, DEMO.supervisorA]) {
      const after = (await load(phone)).data;
      expect(after.stage, phone).toBe("secret");
      expect(after.checks, phone).toHaveLength(9);
      expect(after.lock.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(after.bids.every((b: { qualified: boolean }) => b.qualified)).toBe(true); // 2 of 3 passed the first bid
    }
  });

  it("lets the township's supervisor, and only them, reveal the secret", async () => {
    expect((await load(DEMO.supervisorA)).data).toMatchObject({ canReveal: true, draw: { revealed: null, seed: null } });
    expect((await load(DEMO.countyAdmin)).data.canReveal).toBe(false);
    for (const phone of [members[0].phone, DEMO.committeeA1, DEMO.supervisorB, DEMO.countyAdmin, DEMO.contractor1])
      expect((await act(phone, { intent: "reveal" })).status, phone).toBe(403);
    expect((await act(DEMO.supervisorA, { intent: "reveal" })).data.done).toBe("reveal");
    const { data } = await load(members[0].phone);
    // Reasonable-low price: no scoring, the result is computed at once.
    expect(data.stage).toBe("opinions");
    expect(data.draw.revealed).toMatch(/^[0-9a-f]{64}$/);
    expect(data.draw.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(data.result.method).toBe("reasonable_low");
    expect(data.result.benchmark).toMatch(/^¥/);
    expect(data.result.ranking).toHaveLength(3);
    expect(data.result.ranking.filter((r: { candidate: number }) => r.candidate > 0)).toHaveLength(3);
    expect((await act(DEMO.supervisorA, { intent: "reveal" })).status).toBe(409);
  });
});

describe("opinions, silence and the report", () => {
  it("records opinions from the form, a dissent only with reasons", async () => {
    expect((await act(members[0].phone, { intent: "opinion", agree: "yes" })).data.done).toBe("opinion");
    expect((await act(members[1].phone, { intent: "opinion" })).data.errors.agree).toBe("errors.invalidInput");
    const bare = await act(members[1].phone, { intent: "opinion", agree: "no", dissent: "" });
    expect(bare.status).toBe(400);
    expect(bare.data.errors.dissent).toBeTruthy();
    expect((await act(members[1].phone, { intent: "opinion", agree: "no", dissent: "基准价计算应剔除最高报价" })).data.done).toBe("opinion");
    const { data } = await load(DEMO.committeeA1);
    expect(data.members.map((m: { opinion: string | null }) => m.opinion)).toEqual(["agree", "dissent", null]);
    expect(data.silent).toEqual([]); // not yet a day
  });

  it("lets the host record a member silent for a day as agreeing, which renders the report", async () => {
    expect((await act(DEMO.committeeA1, { intent: "silence", expertId: members[2].id, note: "电话联系未果" })).status).toBe(409);
    ctx.clock.advance(25 * 3600_000);
    const host = (await load(DEMO.committeeA1)).data;
    expect(host.silent).toEqual([{ expertId: members[2].id, name: members[2].name }]);
    expect((await load(DEMO.supervisorA)).data.silent).toEqual([]); // only the host records silence
    expect((await act(DEMO.committeeA1, { intent: "silence", expertId: members[2].id, note: "" })).data.errors.note).toBeTruthy();
    expect((await act(DEMO.committeeA1, { intent: "silence", expertId: members[2].id, note: "电话联系未果，24小时未表态" })).data.done).toBe("silence");
    const { data } = await load(members[0].phone);
    expect(data.stage).toBe("signing");
    expect(data.report).toBe(true);
    expect(data.members[2]).toMatchObject({ opinion: "agree", deemed: true });
  });

  it("serves the report to the panel, the host and the supervisor, and to nobody else", async () => {
    for (const phone of [members[0].phone, DEMO.committeeA1, DEMO.supervisorA, DEMO.countyAdmin]) {
      const res = await fetchReport(phone);
      expect(res.status, phone).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("application/pdf");
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 5)
          .toString("latin1"),
      ).toBe("%PDF-");
    }
    expect((await fetchReport()).status).toBe(302);
    for (const phone of [DEMO.contractor1, outsiderPhone, DEMO.supervisorB, DEMO.committeeA2]) expect((await fetchReport(phone)).status, phone).toBe(403);
  });

  it("takes signatures from panel members only", async () => {
    const sign = async (phone: string, body: unknown) =>
      (await run(
        signRoute.action,
        new Request(new URL(`${page()}/sign`, ORIGIN), {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "Content-Type": "application/json", Origin: ORIGIN, Cookie: await as(phone) },
        }),
        ctx,
        { id: tenderId },
      )) as Response;
    for (const phone of [DEMO.contractor1, DEMO.committeeA1, DEMO.supervisorA]) expect((await sign(phone, { step: "options" })).status, phone).toBe(403);
    expect((await sign(outsiderPhone, { step: "options" })).status).toBe(403);
    expect((await sign(members[0].phone, { step: "verify" })).status).toBe(400);
    const signed = await database.db
      .select()
      .from(schema.evaluationMembers)
      .where(and(eq(schema.evaluationMembers.tenderId, tenderId)));
    expect(signed.every((m) => !m.signedAt)).toBe(true);
  });

  it("ends with the result once every member has signed or been recorded as refusing", async () => {
    ctx.clock.advance(25 * 3600_000);
    expect((await load(DEMO.committeeA1)).data.silent).toHaveLength(3);
    for (const m of members) expect((await act(DEMO.committeeA1, { intent: "silence", expertId: m.id, note: "拒绝签字且未说明理由" })).data.done).toBe("silence");
    const { data } = await load(members[0].phone);
    expect(data.stage).toBe("done");
    expect(data.members.every((m: { refused: boolean }) => m.refused)).toBe(true);
    expect(data.result.ranking[0].candidate).toBe(1);
    expect((await fetchReport(members[0].phone)).status).toBe(200);
    const [project] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, opened.projectId));
    expect(project.state).toBe("publicity");
  });
});

describe("comprehensive scoring", () => {
  const t = () => scored.tenderId;
  const m = (i: number) => scored.members[i];

  it("takes each member's scores from the form, within the range, hidden from the others until handed in", async () => {
    const first = (await load(m(0).phone, t())).data;
    const all = Object.fromEntries(first.bids.map((b: { bidId: string }) => [`pass-${b.bidId}`, "yes"]));
    for (let i = 0; i < 3; i++) expect((await act(m(i).phone, { intent: "checks", ...all }, t())).data.done).toBe("checks");
    expect((await act(DEMO.supervisorA, { intent: "reveal" }, t())).data.done).toBe("reveal");
    const d = (await load(m(0).phone, t())).data;
    expect(d.stage).toBe("scoring");
    expect(d.maxScore).toBe("40.00"); // 100 − a price weight of 60
    const [b0, b1, b2] = d.scoredBids.map((b: { bidId: string }) => b.bidId);

    const bad = await act(m(0).phone, { intent: "scores", [`score-${b0}`]: "三十", [`score-${b1}`]: "41", [`score-${b2}`]: "30" }, t());
    expect(bad.status).toBe(400);
    expect(bad.data.errors[`score-${b0}`]).toMatchObject({ key: "errors.evaluation.scoreRange", values: { max: 40 } });
    expect(bad.data.values[`score-${b1}`]).toBe("41");
    expect((await act(m(0).phone, { intent: "scores", [`score-${b0}`]: "35.5", [`score-${b1}`]: "32", [`score-${b2}`]: "30.25" }, t())).data.done).toBe("scores");
    expect((await load(m(0).phone, t())).data.scores.map((s: { score: string }) => s.score).sort()).toEqual(["30.25", "32.00", "35.50"]);
    for (const phone of [m(1).phone, DEMO.committeeA1, DEMO.supervisorA]) expect((await load(phone, t())).data.scores, phone).toEqual([]);

    expect((await act(m(1).phone, { intent: "scores", [`score-${b0}`]: "36", [`score-${b1}`]: "31", [`score-${b2}`]: "30" }, t())).data.done).toBe("scores");
    // Only the first two have handed in: still nobody sees all scores.
    expect((await load(m(0).phone, t())).data.scores).toHaveLength(3);
    expect((await act(m(2).phone, { intent: "scores", [`score-${b0}`]: "5", [`score-${b1}`]: "30", [`score-${b2}`]: "29" }, t())).data.done).toBe("scores");
    const review = (await load(m(0).phone, t())).data;
    expect(review.stage).toBe("review");
    expect(review.scores).toHaveLength(9);
  });

  it("takes the review's flags from the checkboxes, and lets the flagged expert explain", async () => {
    const d = (await load(m(0).phone, t())).data;
    const [b0] = d.scoredBids.map((b: { bidId: string }) => b.bidId);
    const own = await act(m(0).phone, { intent: "review", [`flag-${m(0).id}-${b0}`]: "on" }, t());
    expect(own.data.errors.form).toBe("errors.evaluation.badFlag");
    for (const i of [0, 1]) expect((await act(m(i).phone, { intent: "review", [`flag-${m(2).id}-${b0}`]: "on" }, t())).data.done).toBe("review");
    expect((await act(DEMO.committeeA1, { intent: "review" }, t())).status).toBe(403);
    expect((await act(m(2).phone, { intent: "review" }, t())).data.done).toBe("review");

    const flagged = (await load(m(2).phone, t())).data;
    expect(flagged.stage).toBe("explaining");
    expect(flagged.scores.filter((s: { abnormal: boolean }) => s.abnormal)).toEqual([expect.objectContaining({ expertId: m(2).id, bidId: b0, score: "5.00", flags: 2 })]);
    expect((await act(m(0).phone, { intent: "explain", bidId: b0, explanation: "我来替他说明" }, t())).status).toBe(409);
    expect((await act(m(2).phone, { intent: "explain", bidId: b0, explanation: "" }, t())).data.errors.explanation).toBeTruthy();
    expect((await act(m(2).phone, { intent: "explain", bidId: b0, explanation: "该投标的施工组织设计缺少安全措施，故评分较低" }, t())).data.done).toBe("explain");

    const result = (await load(DEMO.committeeA1, t())).data;
    expect(result.stage).toBe("opinions");
    expect(result.result.method).toBe("comprehensive");
    expect(result.result.ranking.every((r: { total: string | null }) => /^\d+\.\d{2}$/.test(r.total ?? ""))).toBe(true);
    expect(result.scores.find((s: { expertId: string; bidId: string }) => s.expertId === m(2).id && s.bidId === b0).explanation).toContain("安全措施");
  });
});
