/**
 * The living demo county (issue 8): projects in every stage of their life, made by driving the
 * real model functions with real signatures, so every document in the demo verifies.
 *
 * A fresh demo is written on a clock that starts weeks in the past and walks forward to the real
 * present: each project is a script that waits for the moment of each of its steps (`at`), and
 * the scripts are interleaved in time order, so the audit trail is in order and the projects still
 * under way are under way now — bids are coming in until a deadline next week, an opening's
 * decryption window is open, a panel is checking bids, a publicity period is running. From then on
 * the real clock and the scheduler carry them on like any other project.
 *
 * The demo users have no phones: each one who has to approve something with a passkey gets a
 * software passkey (app/demo/software-passkey.server.ts), registered through the same
 * registration and opening-key enrolment as a browser's; its private key lives only for the
 * seeding. Contractors seal their bids with the real sealing script (seal-runner.server.ts).
 * Every demo device is named as such on the user's security page.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { renderDocumentPdf } from "~/pdf/document.server";
import type { Clock, ManualClock } from "~/utils/clock.server";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { addDays, beijingDay, formatBeijing, fromBeijingLocal } from "~/utils/time";
import type { Actor } from "../models/audit.server";
import { completeAwardSignature, completeProject, decideAward, recordContract, requestAwardSignature } from "../models/award.server";
import { sealingScript, submitBid } from "../models/bid.server";
import { completeReportSignature, reportRenderer, requestReportSignature } from "../models/evaluation-report.server";
import { bidsUnderEvaluation, recordOpinion, revealSecret, submitChecks } from "../models/evaluation.server";
import { applyToPool, decidePoolApplication } from "../models/company.server";
import { putBytes, type FileStore } from "../models/file-store.server";
import { archiveDueProjects } from "../models/archive.server";
import { closeOpening, confirmRow, decryptionMaterial, signIn, startDecryption, startReading, submitDataKey } from "../models/opening.server";
import { completeRecordSignature, requestRecordSignature } from "../models/opening-record.server";
import { declare, drawPanel } from "../models/panel.server";
import { enrollOpeningKey, openingKeyOptions, passkeyRegistrationOptions, registerPasskey, type RelyingParty } from "../models/passkey.server";
import { approveProject, createProject, projectInputSchema, submitProject } from "../models/project.server";
import { appendToUpload, createUpload } from "../models/resumable-upload.server";
import { loadSeal, type Seal } from "./seal-runner.server";
import { softwarePasskey, type SoftwarePasskey } from "./software-passkey.server";
import { closeDueTenders, decideCancel, publishTender, requestCancel, tenderFormSchema } from "../models/tender.server";
import type { ProjectState } from "../models/lifecycle";

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const MINUTE = 60_000;

/** How far back the demo's story starts: the archived project's registration. */
export const DEMO_STORY_DAYS = 80;

export interface DemoProject {
  /** The stage this project was left in for the demo (its state may have moved on since). */
  stage: ProjectState;
  projectId: string;
  tenderId: string | null;
  name: string;
  village: string;
}

// ── Timeline: scripts that wait for their moment, run one at a time in time order ──

type At = (t: Date) => Promise<void>;

/**
 * Run the scripts interleaved by time. A script's first statement must be `await at(…)`; from then
 * on only one script runs at a time, at the moment it asked for (never earlier than the clock
 * already is), so the clock only moves forward.
 */
async function runTimeline(clock: ManualClock, until: Date, scripts: ((at: At) => Promise<void>)[]) {
  const parked: { t: number; seq: number; go: () => void }[] = [];
  let seq = 0;
  let live = scripts.length;
  let failure: { error: unknown } | null = null;
  let notify = () => undefined as void;
  const at: At = (t) => {
    if (t > until) return Promise.reject(new Error(`demo: a step at ${t.toISOString()} would be after the present (${until.toISOString()})`));
    return new Promise<void>((go) => {
      parked.push({ t: Math.max(t.getTime(), clock.now().getTime()), seq: seq++, go });
      notify();
    });
  };
  for (const s of scripts)
    s(at).then(
      () => {
        live--;
        notify();
      },
      (error) => {
        failure ??= { error };
        live--;
        notify();
      },
    );
  for (;;) {
    const changed = new Promise<void>((r) => (notify = r));
    if (failure) throw (failure as { error: unknown }).error;
    if (parked.length < live) {
      await changed;
      continue;
    }
    if (parked.length === 0) return;
    parked.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const next = parked.shift()!;
    clock.set(new Date(next.t));
    next.go();
    await changed;
  }
}

// ── The demo's people and their (software) devices ──

interface Person {
  id: string;
  name: string;
  actor: Actor & { userId: string };
  orgId: string;
}

class DemoCast {
  private seal: Seal | null = null;
  private keys = new Map<string, { key: SoftwarePasskey; prf: Uint8Array }>();
  /** `known`: the passkeys the demo county gave its officials (demo.server.ts), by user id. */
  constructor(
    readonly db: Db,
    readonly clock: ManualClock,
    readonly files: FileStore,
    readonly rp: RelyingParty,
    private known = new Map<string, SoftwarePasskey>(),
  ) {}

  sealer() {
    return (this.seal ??= loadSeal());
  }

  async person(phone: string, role: MemberRole): Promise<Person> {
    const [row] = await this.db
      .select({ id: schema.users.id, name: schema.users.name, orgId: schema.memberships.orgId })
      .from(schema.users)
      .innerJoin(schema.memberships, eq(schema.memberships.userId, schema.users.id))
      .where(and(eq(schema.users.phone, phone), eq(schema.memberships.role, role)));
    if (!row) throw new Error(`demo: no ${role} with phone ${phone}`);
    return { id: row.id, name: row.name, orgId: row.orgId, actor: { userId: row.id, role, ip: null, userAgent: "村易招演示数据 / demo data" } };
  }

  /** The person's demo passkey, registered (and, for a bidder, enrolled as an opening key) the first time. */
  async device(p: Person, opening = false) {
    let k = this.keys.get(p.id);
    const given = this.known.get(p.id);
    if (!k && given) {
      k = { key: given, prf: crypto.getRandomValues(new Uint8Array(32)) };
      this.keys.set(p.id, k);
    }
    if (!k) {
      k = { key: softwarePasskey("ES256"), prf: crypto.getRandomValues(new Uint8Array(32)) };
      const options = await passkeyRegistrationOptions(this.db, this.clock, this.rp, p.id);
      await registerPasskey(this.db, {
        clock: this.clock,
        rp: this.rp,
        actor: p.actor,
        input: { response: k.key.register(options.challenge, this.where()), name: "演示数据的软件密钥（无手机）" },
      });
      this.keys.set(p.id, k);
    }
    if (opening) {
      const [row] = await this.db.select({ opening: schema.passkeys.openingPublicKey }).from(schema.passkeys).where(eq(schema.passkeys.id, k.key.credentialId));
      if (!row?.opening) {
        const options = await openingKeyOptions(this.db, this.clock, this.rp, p.id);
        const publicKey = (await this.sealer().openingKeyFromPrf(k.prf)).publicKey;
        await enrollOpeningKey(this.db, { clock: this.clock, rp: this.rp, actor: p.actor, input: { response: this.approval(k.key, options.challenge), publicKey } });
      }
    }
    return k;
  }

  private where() {
    return { origin: this.rp.origins[0], rpId: this.rp.rpID };
  }

  /** What a browser posts after the passkey approved `challenge` (base64url). */
  approval(key: SoftwarePasskey, challenge: string): AuthenticationResponseJSON {
    const a = key.approve(Buffer.from(challenge, "base64url"), this.where());
    return {
      id: key.credentialId,
      rawId: key.credentialId,
      type: "public-key",
      clientExtensionResults: {},
      response: { authenticatorData: a.authenticatorData, clientDataJSON: a.clientDataJSON, signature: a.signature },
    };
  }

  async pdf(title: string, paragraphs: string[], signers: string[] = []) {
    const bytes = await renderDocumentPdf({
      title,
      sections: [
        {
          heading: title,
          blocks: [...paragraphs.map((text) => ({ kind: "paragraph" as const, text })), ...(signers.length ? [{ kind: "signatureLines" as const, labels: signers }] : [])],
        },
      ],
      createdAt: this.clock.now(),
    });
    const stored = await putBytes(this.files, bytes);
    return { sha256: stored.sha256, size: stored.size };
  }
}

// ── One project's steps ──

interface ProjectSpec {
  village: string;
  committeePhone: string;
  supervisorPhone: string;
  name: string;
  scope: string;
  location: string;
  estimateYuan: number;
  durationDays: number;
}

interface HostParams {
  clock: Clock;
  store: FileStore;
  rp: RelyingParty;
  actor: Actor & { userId: string };
  actingOrgId: string;
  tenderId: string;
}

const SPLITTING_NOTE = "经核查，本项目与本村同期其他项目的内容、地点和资金来源均不同，不属于化整为零规避招标。";

class DemoProjectRun {
  projectId = "";
  tenderId: string | null = null;
  villageId = "";
  townshipId = "";
  committee!: Person;
  supervisor!: Person;
  bidders: { person: Person; companyId: string; submissionId: string }[] = [];

  constructor(
    readonly cast: DemoCast,
    readonly spec: ProjectSpec,
  ) {}

  private get db() {
    return this.cast.db;
  }
  private get clock() {
    return this.cast.clock;
  }

  /** Registered as a draft, with the five decision records of 四议两公开 dated over the past weeks. */
  async register() {
    const s = this.spec;
    this.committee = await this.cast.person(s.committeePhone, "committee");
    this.supervisor = await this.cast.person(s.supervisorPhone, "supervisor");
    this.villageId = this.committee.orgId;
    this.townshipId = this.supervisor.orgId;
    const today = beijingDay(this.clock.now());
    const steps = [
      { step: "proposal", title: "村党组织提议", back: 30 },
      { step: "discussion", title: "村两委会议商议", back: 25 },
      { step: "party_meeting", title: "党员大会审议", back: 20 },
      { step: "villagers_meeting", title: "村民代表会议决议", back: 14 },
      { step: "resolution_notice", title: "决议公开", back: 10 },
    ] as const;
    const decisions = [];
    for (const st of steps) {
      const day = addDays(today, -st.back);
      const votes = st.step === "villagers_meeting" ? "应到代表 35 人，实到 31 人，赞成 29 票，决议通过。" : "";
      const file = await this.cast.pdf(
        `${s.name}：${st.title}`,
        [`${s.village}于 ${day} 就“${s.name}”进行${st.title}。${votes}`, `项目内容：${s.scope}`, "（演示数据）"],
        ["记录人", "主持人"],
      );
      decisions.push({
        step: st.step,
        day,
        file: { ...file, name: `${st.title}.pdf` },
        ...(st.step === "villagers_meeting" ? { eligible: 35, attended: 31, votesFor: 29 } : {}),
      });
    }
    const input = projectInputSchema.parse({
      name: s.name,
      type: "works",
      location: s.location,
      scope: s.scope,
      estimate: String(s.estimateYuan),
      ceiling: String(s.estimateYuan),
      fundingSource: "县级财政衔接资金及村集体自筹",
      durationDays: String(s.durationDays),
      method: "open_selection",
    });
    const p = await createProject(this.db, { clock: this.clock, actor: this.committee.actor, villageId: this.villageId, input, decisions });
    this.projectId = p.id;
  }

  async submit() {
    await submitProject(this.db, { clock: this.clock, actor: this.committee.actor, projectId: this.projectId, villageId: this.villageId });
  }

  async approve() {
    await approveProject(this.db, { clock: this.clock, actor: this.supervisor.actor, projectId: this.projectId, townshipId: this.townshipId, justification: SPLITTING_NOTE });
  }

  /** The tender notice, with its deadline (Beijing time) and one drawings attachment. */
  async publish(deadline: Date, opts: { pool: boolean; windowMinutes?: number }) {
    const form = tenderFormSchema.parse({
      qualificationClass: "具备建筑工程或市政公用工程施工总承包三级及以上资质",
      requirePmCertificate: "on",
      ...(opts.pool ? { requirePoolMember: "on" } : {}),
      deadline: formatBeijing(deadline, "yyyy-MM-dd'T'HH:mm"),
      decryptionWindowMinutes: String(opts.windowMinutes ?? 30),
      bidSecurity: String(Math.floor(this.spec.estimateYuan * 0.015)),
      evaluationMethod: "reasonable_low",
      coefficient: "96",
      panelSize: "3",
    });
    const drawings = await this.cast.pdf(`${this.spec.name}：施工图纸及工程量清单`, [
      `工程地点：${this.spec.location}`,
      `工程内容：${this.spec.scope}`,
      "图纸目录：总平面图、结构详图、工程量清单（演示数据）。",
    ]);
    const tender = await publishTender(this.db, {
      clock: this.clock,
      actor: this.committee.actor,
      projectId: this.projectId,
      actingOrgId: this.villageId,
      form,
      attachments: [{ ...drawings, name: "施工图纸及工程量清单.pdf" }],
      fileStore: this.cast.files,
    });
    this.tenderId = tender.id;
  }

  /** A contractor seals a bid in the browser's way and submits it. */
  async bid(phone: string, priceYuan: number) {
    const person = await this.cast.person(phone, "contractor");
    const companyId = person.orgId;
    const { key, prf } = await this.cast.device(person, true);
    const S = this.cast.sealer();
    const [pm] = await this.db.select().from(schema.projectManagers).where(eq(schema.projectManagers.companyId, companyId)).orderBy(asc(schema.projectManagers.createdAt)).limit(1);
    const [tender] = await this.db.select().from(schema.tenders).where(eq(schema.tenders.id, this.tenderId!));
    const [company] = await this.db.select({ name: schema.orgs.name }).from(schema.orgs).where(eq(schema.orgs.id, companyId));
    const letter = await renderDocumentPdf({
      title: `投标函：${this.spec.name}`,
      sections: [
        {
          heading: "投标函",
          blocks: [
            {
              kind: "paragraph",
              text: `致${this.spec.village}村民委员会：我方${company.name}已仔细研究“${this.spec.name}”招标文件，愿以人民币 ${priceYuan.toLocaleString(
                "zh-CN",
              )} 元的投标总价，按招标文件要求承包本工程。`,
            },
            { kind: "paragraph", text: `工期 ${this.spec.durationDays - 5} 日历天，质量标准合格，拟派项目经理 ${pm.name}。（演示数据）` },
            { kind: "signatureLines", labels: ["投标人（盖章）", "法定代表人或其委托代理人"] },
          ],
        },
      ],
      createdAt: this.clock.now(),
    });
    const submissionId = randomUUID();
    const sealed = await S.seal(
      {
        priceFen: priceYuan * 100,
        durationDays: this.spec.durationDays - 5,
        projectManagerId: pm.id,
        quality: "合格",
        security: { method: "transfer", amountFen: tender.bidSecurityFen, date: beijingDay(this.clock.now()), reference: `保证金转账流水-${submissionId.slice(0, 8)}` },
      },
      [{ name: "投标函.pdf", bytes: letter }],
      { tenderId: tender.id, submissionId, holders: [{ credentialId: key.credentialId, publicKey: (await S.openingKeyFromPrf(prf)).publicKey }] },
    );
    const upload = await createUpload(this.cast.files, this.clock, {
      owner: person.id,
      length: sealed.ciphertext.length,
      name: "bid.sealed",
      maxBytes: 10 * 1024 * 1024,
      kind: "sealed",
    });
    await appendToUpload(this.cast.files, {
      clock: this.clock,
      upload,
      offset: 0,
      body: (async function* () {
        yield sealed.ciphertext;
      })(),
    });
    const script = sealingScript();
    await submitBid(this.db, {
      clock: this.clock,
      store: this.cast.files,
      actor: person.actor,
      companyId,
      tenderId: tender.id,
      raw: {
        submissionId,
        uploadId: upload.id,
        ciphertextHash: sealed.ciphertextHash,
        plaintextHash: sealed.plaintextHash,
        commitment: sealed.commitment,
        scriptVersion: script.version,
        scriptSha256: script.sha256,
        wraps: sealed.wraps,
      },
    });
    this.bidders.push({ person, companyId, submissionId });
  }

  /** Every bidder signs in to the opening hall (before the deadline). */
  async signIns() {
    for (const b of this.bidders) await signIn(this.db, { clock: this.clock, actor: b.person.actor, companyId: b.companyId, tenderId: this.tenderId! });
  }

  /** The deadline has passed: the scheduler closes bidding and the host starts the decryption. Returns whether the tender failed. */
  async startOpening() {
    await closeDueTenders(this.db, this.clock);
    const r = await startDecryption(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId! });
    return r.failed;
  }

  /** A bidder decrypts its bid with its passkey (the PRF secret unwraps the data key). */
  async decrypt(i: number) {
    const b = this.bidders[i];
    const { prf, key } = await this.cast.device(b.person, true);
    const m = (await decryptionMaterial(this.db, this.clock, b.companyId, this.tenderId!))!;
    const wrap = m.wraps.find((w) => w.credentialId === key.credentialId);
    const dataKey = await this.cast.sealer().unwrapWithPrf(wrap as never, prf, { tenderId: this.tenderId!, submissionId: m.submissionId });
    await submitDataKey(this.db, {
      clock: this.clock,
      store: this.cast.files,
      actor: b.person.actor,
      companyId: b.companyId,
      tenderId: this.tenderId!,
      rawKey: Buffer.from(dataKey).toString("base64url"),
    });
  }

  async read() {
    await startReading(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId! });
    for (const b of this.bidders) await confirmRow(this.db, { clock: this.clock, actor: b.person.actor, companyId: b.companyId, tenderId: this.tenderId! });
  }

  /** The host closes the opening and signs its record with a passkey. */
  async closeAndSignRecord() {
    await closeOpening(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId! });
    await this.hostSigns(requestRecordSignature, completeRecordSignature);
  }

  /** The host approves a document's signature with the passkey of their (demo) device. */
  private async hostSigns(
    request: (db: Db, params: HostParams) => Promise<{ requestId: string; options: { challenge: string } }>,
    complete: (db: Db, params: HostParams & { requestId: string; response: AuthenticationResponseJSON }) => Promise<unknown>,
  ) {
    const { key } = await this.cast.device(this.committee);
    const host: HostParams = { clock: this.clock, store: this.cast.files, rp: this.cast.rp, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId! };
    const asked = await request(this.db, host);
    await complete(this.db, { ...host, requestId: asked.requestId, response: this.cast.approval(key, asked.options.challenge) });
  }

  /** The panel is drawn; every member declares no conflict. */
  async drawPanel() {
    await drawPanel(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId! });
    const members = await this.panel();
    for (const m of members) await declare(this.db, { clock: this.clock, actor: m.actor, tenderId: this.tenderId!, input: { accept: true } });
  }

  private async panel(): Promise<Person[]> {
    const rows = await this.db
      .select({ phone: schema.users.phone })
      .from(schema.panelMembers)
      .innerJoin(schema.users, eq(schema.users.id, schema.panelMembers.expertId))
      .where(and(eq(schema.panelMembers.tenderId, this.tenderId!), eq(schema.panelMembers.role, "member")))
      .orderBy(asc(schema.panelMembers.position));
    return Promise.all(rows.map((r) => this.cast.person(r.phone, "expert")));
  }

  /** `members` of the panel check every bid (all pass). */
  async check(members: number) {
    const under = await bidsUnderEvaluation(this.db, this.tenderId!);
    for (const m of (await this.panel()).slice(0, members))
      await submitChecks(this.db, { clock: this.clock, actor: m.actor, tenderId: this.tenderId!, checks: under.map((b) => ({ bidId: b.bidId, pass: true })) });
  }

  /** The supervisor reveals the draw secret; every member agrees and signs the report (publicity starts). */
  async finishEvaluation() {
    await revealSecret(this.db, { clock: this.clock, actor: this.supervisor.actor, townshipId: this.townshipId, tenderId: this.tenderId! });
    const members = await this.panel();
    for (const m of members)
      await recordOpinion(this.db, {
        clock: this.clock,
        actor: m.actor,
        tenderId: this.tenderId!,
        input: { agree: true },
        renderReport: reportRenderer(this.cast.files, this.clock),
      });
    for (const m of members) {
      const { key } = await this.cast.device(m);
      const { requestId, options } = await requestReportSignature(this.db, {
        clock: this.clock,
        store: this.cast.files,
        rp: this.cast.rp,
        actor: m.actor,
        tenderId: this.tenderId!,
      });
      await completeReportSignature(this.db, {
        clock: this.clock,
        store: this.cast.files,
        rp: this.cast.rp,
        actor: m.actor,
        tenderId: this.tenderId!,
        requestId,
        response: this.cast.approval(key, options.challenge),
      });
    }
  }

  async publicityEndsAt() {
    const [p] = await this.db.select().from(schema.publicities).where(eq(schema.publicities.tenderId, this.tenderId!));
    return p.endsAt;
  }

  /** The committee decides the award (the first candidate) and signs the award notice. */
  async award() {
    await decideAward(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId!, input: {} });
    await this.hostSigns(requestAwardSignature, completeAwardSignature);
  }

  async contract() {
    await recordContract(this.db, { clock: this.clock, actor: this.committee.actor, actingOrgId: this.villageId, tenderId: this.tenderId!, day: beijingDay(this.clock.now()) });
  }

  async complete(settlementYuan: number) {
    await completeProject(this.db, {
      clock: this.clock,
      actor: this.committee.actor,
      actingOrgId: this.villageId,
      tenderId: this.tenderId!,
      input: {
        acceptanceDate: beijingDay(this.clock.now()),
        settlementFen: settlementYuan * 100,
      },
    });
  }

  async cancel() {
    await requestCancel(this.db, {
      clock: this.clock,
      actor: this.committee.actor,
      projectId: this.projectId,
      villageId: this.villageId,
      reason: "上级部门将该路段纳入县级美丽乡村整体提升项目统一实施，本村不再单独招标。",
    });
    return async () =>
      decideCancel(this.db, {
        clock: this.clock,
        actor: this.supervisor.actor,
        projectId: this.projectId,
        townshipId: this.townshipId,
        approve: true,
        note: "经核实，该路段已列入县级项目，同意撤销。",
      });
  }
}

// ── The stories ──

/** Demo phones (app/demo/demo.server.ts): committees 03–05 青山镇, 07–09 溪口乡; contractors 10–17. */
const P = {
  supQingshan: "13900000002",
  supXikou: "13900000006",
  qingshan: "13900000003",
  shiqiao: "13900000004",
  zhulin: "13900000005",
  xikou: "13900000007",
  meiling: "13900000008",
  shangtang: "13900000009",
  c: (n: number) => `139000000${String(9 + n).padStart(2, "0")}`,
};

/** The whole minute at or before `ms` (a deadline is set to the minute). */
function minute(ms: number) {
  return new Date(Math.floor(ms / MINUTE) * MINUTE);
}

/** Beijing 09:30 on the day `days` from `t` (the usual opening time). */
function morningOf(t: Date, days: number) {
  return fromBeijingLocal(`${addDays(beijingDay(t), days)}T09:30`);
}

export interface DemoStoryOptions {
  /** Only the stories with these stages (default: all). */
  only?: ProjectState[];
}

/**
 * Write the demo projects, ending at `now` (the real present). `clock` is moved from
 * DEMO_STORY_DAYS before `now` up to `now`; the caller has loaded the demo county at its start.
 */
export async function seedDemoProjects(
  db: Db,
  { clock, files, rp, now, opts = {}, known }: { clock: ManualClock; files: FileStore; rp: RelyingParty; now: Date; opts?: DemoStoryOptions; known?: Map<string, SoftwarePasskey> },
): Promise<DemoProject[]> {
  const cast = new DemoCast(db, clock, files, rp, known);
  const start = new Date(now.getTime() - DEMO_STORY_DAYS * DAY);
  const made: DemoProject[] = [];
  const story = (stage: ProjectState, spec: ProjectSpec, script: (r: DemoProjectRun, at: At) => Promise<void>) => {
    if (opts.only && !opts.only.includes(stage)) return null;
    return async (at: At) => {
      const r = new DemoProjectRun(cast, spec);
      await script(r, at);
      made.push({ stage, projectId: r.projectId, tenderId: r.tenderId, name: spec.name, village: spec.village });
    };
  };
  const qs = (village: string, committeePhone: string, name: string, scope: string, estimateYuan: number) => ({
    village,
    committeePhone,
    supervisorPhone: P.supQingshan,
    name,
    scope,
    location: `青山镇${village}`,
    estimateYuan,
    durationDays: 60,
  });
  const xk = (village: string, committeePhone: string, name: string, scope: string, estimateYuan: number) => ({
    ...qs(village, committeePhone, name, scope, estimateYuan),
    supervisorPhone: P.supXikou,
    location: `溪口乡${village}`,
  });

  /** Registration (nine days before `deadline`), approval, the notice, the bids and the bidders' sign-in. */
  async function upToDeadline(r: DemoProjectRun, at: At, deadline: Date, bids: Record<number, number>, opts: { pool: boolean; windowMinutes?: number }) {
    const t0 = new Date(deadline.getTime() - 9 * DAY);
    await at(t0);
    await r.register();
    await r.submit();
    await at(new Date(t0.getTime() + 26 * HOUR));
    await r.approve();
    await at(new Date(t0.getTime() + 2 * DAY));
    await r.publish(deadline, opts);
    for (const [i, [company, price]] of Object.entries(bids).entries()) {
      await at(new Date(t0.getTime() + (4 + i) * DAY + 3 * HOUR));
      await r.bid(P.c(Number(company)), price);
    }
    await at(new Date(deadline.getTime() - 40 * MINUTE));
    await r.signIns();
  }

  /** …then the remote opening, to the signed opening record (or 流标 when too few bid). */
  async function throughOpening(r: DemoProjectRun, at: At, deadline: Date, bids: Record<number, number>, pool: boolean) {
    await upToDeadline(r, at, deadline, bids, { pool });
    await at(new Date(deadline.getTime() + 2 * MINUTE));
    if (await r.startOpening()) return;
    for (let i = 0; i < r.bidders.length; i++) {
      await at(new Date(deadline.getTime() + (5 + 3 * i) * MINUTE));
      await r.decrypt(i);
    }
    await at(new Date(deadline.getTime() + 25 * MINUTE));
    await r.read();
    await at(new Date(deadline.getTime() + 40 * MINUTE));
    await r.closeAndSignRecord();
  }

  /** …then the panel, the checks and the signed report: publicity starts eight hours after the deadline. */
  async function throughPublicity(r: DemoProjectRun, at: At, deadline: Date, bids: Record<number, number>, pool: boolean) {
    await throughOpening(r, at, deadline, bids, pool);
    await at(new Date(deadline.getTime() + 2 * HOUR));
    await r.drawPanel();
    await at(new Date(deadline.getTime() + 6 * HOUR));
    await r.check(3);
    await at(new Date(deadline.getTime() + 8 * HOUR));
    await r.finishEvaluation();
  }

  // 溪口乡 keeps a candidate pool too: six companies admitted before its first tender.
  const poolOfXikou = async (at: At) => {
    await at(new Date(start.getTime() + 3 * DAY));
    const supervisor = await cast.person(P.supXikou, "supervisor");
    for (const n of [1, 2, 4, 5, 7, 8]) {
      const c = await cast.person(P.c(n), "contractor");
      const application = await applyToPool(db, { clock, actor: c.actor, companyId: c.orgId, townshipId: supervisor.orgId });
      await decidePoolApplication(db, clock, supervisor.actor, { membershipId: application.id, supervisorTownshipId: supervisor.orgId, decision: "admit" });
    }
  };

  const scripts = [
    opts.only ? null : poolOfXikou,
    // 已归档: the whole life, ending with the platform's archive.
    story("completed", qs("青山村", P.qingshan, "青山村村道硬化及排水沟工程", "村内主干道 1.2 公里水泥混凝土路面硬化，两侧排水沟新建及修复。", 200_000), async (r, at) => {
      await throughPublicity(r, at, morningOf(start, 9), { 1: 183_000, 2: 186_500, 4: 189_800 }, true);
      await at(new Date((await r.publicityEndsAt()).getTime() + 2 * HOUR));
      await r.award();
      await at(new Date(clock.now().getTime() + 3 * DAY));
      await r.contract();
      await at(new Date(clock.now().getTime() + 25 * DAY));
      await r.complete(181_200);
      await at(new Date(clock.now().getTime() + 10 * MINUTE));
      await archiveDueProjects(db, clock, files);
    }),
    // 流标: two bids only, the opening fails at once.
    story("failed", qs("石桥村", P.shiqiao, "石桥村文化礼堂屋面修缮工程", "文化礼堂屋面瓦片更换、防水层重做及檐沟修缮。", 150_000), async (r, at) => {
      await throughOpening(r, at, morningOf(now, -33), { 3: 139_000, 5: 142_600 }, true);
    }),
    // 已撤销: published, then withdrawn with the township's approval.
    story("cancelled", qs("竹林村", P.zhulin, "竹林村竹林步道改造工程", "竹林游步道 800 米透水砖铺装及护栏安装。", 120_000), async (r, at) => {
      const t0 = new Date(start.getTime() + 42 * DAY);
      await at(t0);
      await r.register();
      await r.submit();
      await at(new Date(t0.getTime() + DAY));
      await r.approve();
      await at(new Date(t0.getTime() + 2 * DAY));
      await r.publish(morningOf(t0, 10), { pool: true });
      await at(new Date(t0.getTime() + 4 * DAY));
      await r.bid(P.c(6), 113_500);
      await at(new Date(t0.getTime() + 5 * DAY));
      const approve = await r.cancel();
      await at(new Date(t0.getTime() + 6 * DAY));
      await approve();
    }),
    // 已定标: award notice signed and the contract recorded; not yet completed.
    story("awarded", xk("溪口村", P.xikou, "溪口村溪口桥栏杆加固工程", "溪口桥两侧石栏杆加固、破损栏板更换及桥面防滑处理。", 180_000), async (r, at) => {
      await throughPublicity(r, at, morningOf(now, -15), { 7: 168_800, 8: 171_000, 5: 166_500 }, false);
      await at(new Date((await r.publicityEndsAt()).getTime() + 3 * HOUR));
      await r.award();
      await at(new Date(clock.now().getTime() + 2 * DAY));
      await r.contract();
    }),
    // 公示中: the evaluation report signed yesterday; the publicity period is running.
    story("publicity", xk("梅岭村", P.meiling, "梅岭村山塘清淤及护岸工程", "梅岭山塘清淤约 3 000 立方米，浆砌石护岸 260 米。", 250_000), async (r, at) => {
      await throughPublicity(r, at, minute(now.getTime() - 28 * HOUR), { 1: 231_000, 2: 236_800, 4: 229_400 }, false);
    }),
    // 评标中: the panel is drawn and one member has checked the bids.
    story("evaluating", qs("青山村", P.qingshan, "青山村农村生活污水管网修复工程", "破损污水支管 650 米更换，检查井 18 座修复。", 220_000), async (r, at) => {
      const deadline = minute(now.getTime() - 26 * HOUR);
      await throughOpening(r, at, deadline, { 2: 205_600, 4: 201_900, 6: 208_300 }, true);
      await at(new Date(deadline.getTime() + 2 * HOUR));
      await r.drawPanel();
      await at(new Date(deadline.getTime() + 20 * HOUR));
      await r.check(1);
    }),
    // 开标中: the deadline passed twenty minutes ago; two of three bidders have decrypted, the window is open.
    story("opening", qs("石桥村", P.shiqiao, "石桥村村委会办公楼外立面整治工程", "办公楼外墙涂料翻新、空调外机罩及雨棚更换。", 160_000), async (r, at) => {
      const deadline = minute(now.getTime() - 20 * MINUTE);
      await upToDeadline(r, at, deadline, { 1: 149_200, 6: 151_000, 4: 147_600 }, { pool: true, windowMinutes: 240 });
      await at(new Date(deadline.getTime() + 2 * MINUTE));
      await r.startOpening();
      await at(new Date(deadline.getTime() + 6 * MINUTE));
      await r.decrypt(0);
      await at(new Date(deadline.getTime() + 11 * MINUTE));
      await r.decrypt(1);
    }),
    // 招标中: published two days ago, deadline next week, two bids in.
    story("published", qs("竹林村", P.zhulin, "竹林村停车场及路灯安装工程", "村口生态停车场 40 个车位建设及太阳能路灯 36 盏安装。", 190_000), async (r, at) => {
      const t0 = new Date(now.getTime() - 4 * DAY);
      await at(t0);
      await r.register();
      await r.submit();
      await at(new Date(t0.getTime() + 20 * HOUR));
      await r.approve();
      await at(new Date(t0.getTime() + 2 * DAY));
      await r.publish(morningOf(now, 6), { pool: true });
      await at(new Date(now.getTime() - 20 * HOUR));
      await r.bid(P.c(2), 178_300);
      await at(new Date(now.getTime() - 2 * HOUR));
      await r.bid(P.c(6), 181_900);
    }),
    // 已备案: approved by the township, the notice not yet published.
    story("approved", xk("溪口村", P.xikou, "溪口村自来水管网改造工程", "老旧供水主管 1.5 公里更换（PE 管），入户阀门及水表箱改造。", 240_000), async (r, at) => {
      await at(new Date(now.getTime() - 3 * DAY));
      await r.register();
      await r.submit();
      await at(new Date(now.getTime() - 1 * DAY));
      await r.approve();
    }),
    // 待审核: submitted this morning, awaiting the township.
    story("submitted", xk("上塘村", P.shangtang, "上塘村垃圾分类亭建设工程", "垃圾分类投放亭 12 座建设及周边硬化。", 90_000), async (r, at) => {
      await at(new Date(now.getTime() - 5 * HOUR));
      await r.register();
      await r.submit();
    }),
    // 草稿: being prepared by the committee.
    story("draft", qs("青山村", P.qingshan, "青山村文化广场绿化提升工程", "文化广场乔灌木补植、草坪修复及景观座椅安装。", 110_000), async (r, at) => {
      await at(new Date(now.getTime() - 40 * MINUTE));
      await r.register();
    }),
  ].filter((s): s is (at: At) => Promise<void> => s !== null);

  await runTimeline(clock, now, scripts);
  clock.set(now);
  const order: ProjectState[] = ["draft", "submitted", "approved", "published", "opening", "evaluating", "publicity", "awarded", "completed", "failed", "cancelled"];
  return made.sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage));
}
