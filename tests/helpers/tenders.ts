// Shared set-up for tender tests: approved projects of 青山村 made through the
// model functions, and the publish form posted through the real route.
import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { approveProject, createProject, submitProject } from "~/models/project.server";
import * as publishRoute from "~/routes/projects.$id_.publish";
import { schema } from "~/utils/db.server";
import { renderDocumentPdf } from "~/pdf/document.server";
import { ORIGIN, run } from "./app";

const sha = (n: number) => n.toString(16).padStart(64, "0");
const STEP_TITLES = ["村党组织提议", "村两委会议商议", "党员大会审议", "村民代表会议决议", "决议公开"];
async function* toStream(bytes: Uint8Array) {
  yield bytes;
}

export function tenderFields(over: Record<string, string> = {}) {
  return {
    qualificationClass: "具备市政公用工程施工总承包三级及以上资质",
    requirePmCertificate: "on",
    requirePoolMember: "on",
    deadline: "2026-12-01T09:30",
    decryptionWindowMinutes: "30",
    bidSecurity: "6000",
    evaluationMethod: "reasonable_low",
    coefficient: "96",
    priceWeight: "60",
    panelSize: "3",
    ...over,
  };
}

/**
 * `realDocuments`: the approval's meeting records are stored as real (small) PDFs instead of rows
 * without bytes — for the demo, whose archive must hold every original.
 */
export async function tenderKit(database: Database, ctx: AppLoadContext, villageName = "青山村", opts: { realDocuments?: boolean } = {}) {
  const [v] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.name, villageName));
  const villageId = v.id;
  const townshipId = v.townshipId!;

  /** An approved project of the village, made through the model functions. */
  async function approvedProject(name: string, estimate = 60_000_000, approvalReason = "") {
    const committee = { userId: null, role: "committee" as const, ip: "203.0.113.7" };
    const supervisor = { userId: null, role: "supervisor" as const, ip: "203.0.113.8" };
    const steps = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"];
    const docs: { sha256: string; size: number }[] = [];
    for (let i = 1; i <= 5; i++) {
      if (opts.realDocuments) {
        const pdf = await renderDocumentPdf({
          title: `${name}：${STEP_TITLES[i - 1]}`,
          sections: [
            {
              heading: "会议记录",
              blocks: [
                { kind: "paragraph", text: `${name}：${STEP_TITLES[i - 1]}的会议记录（${villageName}，演示数据）。` },
                { kind: "signatureLines", labels: ["记录人", "主持人"] },
              ],
            },
          ],
          createdAt: ctx.clock.now(),
        });
        const stored = await ctx.files.put(toStream(pdf), { maxBytes: 10 * 1024 * 1024 });
        await database.query(`INSERT INTO files (sha256, size, mime, created_at) VALUES ($1, $2, 'application/pdf', now()) ON CONFLICT DO NOTHING`, [stored.sha256, stored.size]);
        docs.push({ sha256: stored.sha256, size: stored.size });
      } else {
        await database.query(`INSERT INTO files (sha256, size, mime, created_at) VALUES ($1, 10, 'application/pdf', now()) ON CONFLICT DO NOTHING`, [sha(i)]);
        docs.push({ sha256: sha(i), size: 10 });
      }
    }
    const p = await createProject(database.db, {
      clock: ctx.clock,
      actor: committee,
      villageId,
      input: {
        name,
        type: "works",
        location: `${name}地点`,
        scope: `${name}内容`,
        estimate,
        ceiling: estimate,
        fundingSource: "财政",
        durationDays: 30,
        method: estimate < 100_000_000 ? "open_selection" : "open_tender",
      },
      decisions: steps.map((step, i) => ({
        step: step as never,
        day: `2026-10-0${i + 1}`,
        file: { sha256: docs[i].sha256, size: docs[i].size, name: `${step}.pdf` },
        ...(step === "villagers_meeting" ? { eligible: 30, attended: 25, votesFor: 20 } : {}),
      })),
    });
    await submitProject(database.db, { clock: ctx.clock, actor: committee, projectId: p.id, villageId });
    await approveProject(database.db, { clock: ctx.clock, actor: supervisor, projectId: p.id, townshipId, justification: approvalReason });
    return p.id;
  }

  /** Post the publish form (with one PDF attachment) as whoever the cookie belongs to. */
  function publish(id: string, fields: Record<string, string>, cookie: string) {
    const form = new FormData();
    for (const [k, val] of Object.entries(fields)) form.append(k, val);
    form.append("attachment1", new File(["%PDF-1.4\n图纸\n%%EOF"], "施工图纸.pdf", { type: "application/pdf" }));
    return run(publishRoute.action, new Request(new URL(`/projects/${id}/publish`, ORIGIN), { method: "POST", body: form, headers: { Cookie: cookie, Origin: ORIGIN } }), ctx, {
      id,
    });
  }

  /** The current tender of a project. */
  async function tenderOf(projectId: string) {
    const [t] = await database.db.select().from(schema.tenders).where(eq(schema.tenders.projectId, projectId));
    return t;
  }

  return { villageId, townshipId, approvedProject, publish, tenderOf };
}
