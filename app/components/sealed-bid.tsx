/**
 * The bidder's side of sealing, in the browser. All cryptography is done by
 * the published sealing script (public/seal/v1.js, loaded with its SHA-256 as
 * subresource integrity); this component only gathers the form, shows the
 * script's verdicts, hands over the backup key, then uploads the ciphertext
 * (resumable) and shows the receipt. Nothing readable about the bid is sent;
 * the form values do pass through this page's code on their way to the
 * script (see docs/security.md on what must be trusted).
 */
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "./forms";
import type { Receipt } from "~/models/bid.server";
import { parseYuanToFen } from "~/utils/money";

type Holder = { credentialId: string; publicKey: string; name: string; userName: string; mine: boolean };
export type Wrap = { kind: "passkey" | "backup"; credentialId: string | null; epk: string | null; iv: string; wrapped: string };
type ReceiptView = Omit<Receipt, "receivedAt"> & { receivedAt: string };

/** What the bid page's loader gives this component (kept structural, so the route owns the data). */
export interface SealingPageData {
  tender: {
    id: string;
    name: string;
    ceilingFen: number;
    bidSecurityFen: number;
    durationDays: number;
    deadline: string;
    deadlineIso: string;
    bidValidityDays: number;
    guaranteeUntil: string;
  };
  managers: { id: string; name: string; certificateNumber: string; busy: boolean }[];
  holders: Holder[];
  myPasskeys: { id: string; name: string; sealing: boolean }[];
  bank: { bankName: string; bankAccount: string; bankAccountName: string } | null;
  own: { status: string; submissionId: string; current: ReceiptView; wraps: Wrap[] } | null;
  script: { version: string; path: string; sha256: string; integrity: string };
  limits: { maxFiles: number; maxFileBytes: number };
  rpId: string;
  /** What withdrawing or replacing needs now: a passkey approval unless this session proved a step-up code. */
  proof: { stepUpProved: boolean; hasPasskey: boolean; blockedUntil: string | null };
}

/* The sealing script's interface (public/seal/v1.js). */
export interface CyzSeal {
  version: string;
  check(bid: unknown, files: { name: string; bytes: Uint8Array }[], rules: unknown): { field: string; key: string }[];
  seal(
    bid: unknown,
    files: { name: string; bytes: Uint8Array }[],
    ctx: unknown,
  ): Promise<{ ciphertext: Uint8Array; ciphertextHash: string; plaintextHash: string; commitment: string; wraps: unknown[]; backupCode: string }>;
  passkeyPrf(options: { challenge: string; rpId: string; credentialIds: string[] }): Promise<{ prf: Uint8Array; assertion: unknown }>;
  openingKeyFromPrf(prf: Uint8Array): Promise<{ publicKey: string }>;
  unwrapWithPrf(wrap: Wrap, prf: Uint8Array, ctx: unknown): Promise<Uint8Array>;
  unwrapWithBackup(wrap: Wrap, code: string, ctx: unknown): Promise<Uint8Array>;
  open(
    ciphertext: Uint8Array,
    dataKey: Uint8Array,
    ctx: unknown,
    receipt: { ciphertextHash: string; plaintextHash: string; commitment: string },
  ): Promise<{ manifest: { priceFen: number } }>;
  rewrap(dataKey: Uint8Array, holders: { credentialId: string; publicKey: string }[], ctx: unknown): Promise<unknown[]>;
  supportsPasskeySealing(): Promise<boolean>;
  b64u(bytes: Uint8Array): string;
}

let loading: Promise<CyzSeal> | null = null;

/** Load the published sealing script once, checked against its SHA-256 (subresource integrity). */
export function loadSeal(script: SealingPageData["script"]): Promise<CyzSeal> {
  const w = window as unknown as { CyzSeal?: CyzSeal };
  if (w.CyzSeal) return Promise.resolve(w.CyzSeal);
  loading ??= new Promise<CyzSeal>((resolve, reject) => {
    const el = document.createElement("script");
    el.src = script.path;
    el.integrity = script.integrity;
    el.crossOrigin = "anonymous";
    el.onload = () => (w.CyzSeal ? resolve(w.CyzSeal) : reject(new Error("bid.errors.script")));
    el.onerror = () => {
      loading = null;
      reject(new Error("bid.errors.script"));
    };
    document.head.appendChild(el);
  });
  return loading;
}

export function keyOf(e: unknown, fallback = "errors.page.unexpected") {
  const m = e instanceof Error ? e.message : "";
  if (m.startsWith("seal.")) return `bid.errors.${m.slice(5)}`;
  return /^(errors|bid)\./.test(m) ? m : fallback;
}

export async function postJson(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(typeof out.error === "string" ? out.error : res.status >= 500 ? "bid.errors.network" : "errors.invalidInput");
  return out;
}

/**
 * Approve withdrawing or replacing the company's sealed bid with one of my passkeys, just now: the
 * server's single-use challenge for this act, signed with user verification. Returns what the
 * server checks (bid.server.ts BidActProof).
 */
export async function approveBidAct(tenderId: string, act: "withdraw" | "replace"): Promise<unknown> {
  const { options } = (await postJson(`/notices/${tenderId}/bid/seal`, { intent: "approve-options", act })) as { options: unknown };
  // Loaded when first needed: most visits to the bid page never withdraw or replace (page weight).
  const { startAuthentication } = await import("@simplewebauthn/browser");
  try {
    return await startAuthentication({ optionsJSON: options as never });
  } catch {
    throw new Error("errors.passkeyCancelled");
  }
}

/** Prepare one of my passkeys for sealing: PRF in this browser → X25519 public key to the server. */
function PreparePasskey({ d, seal }: { d: SealingPageData; seal: CyzSeal | null }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (d.myPasskeys.length === 0) {
    return (
      <p className="hint">
        {t("bid.noPasskey")} <a href="/account">{t("bid.addPasskey")}</a>
      </p>
    );
  }
  if (d.myPasskeys.every((p) => p.sealing)) return null;
  async function prepare() {
    if (!seal) return;
    setBusy(true);
    setError(null);
    try {
      const { options } = (await postJson("/auth/passkey/opening-key", { step: "options" })) as { options: { challenge: string; rpId: string; credentialIds: string[] } };
      const { prf, assertion } = await seal.passkeyPrf(options);
      const { publicKey } = await seal.openingKeyFromPrf(prf);
      prf.fill(0);
      await postJson("/auth/passkey/opening-key", { step: "verify", response: assertion, publicKey });
      revalidator.revalidate();
    } catch (e) {
      setError(keyOf(e, "bid.errors.prepareFailed"));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <p className="hint">{t("bid.prepareHint")}</p>
      <button type="button" onClick={prepare} disabled={busy || !seal} data-testid="prepare-passkey">
        {t("bid.preparePasskey")}
      </button>
      <ErrorText messageKey={error} />
    </div>
  );
}

type Pending = { submissionId: string; sealed: Awaited<ReturnType<CyzSeal["seal"]>>; file: File; uploadId?: string; approval?: unknown };

export function SealedBidForm({ d }: { d: SealingPageData }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [seal, setSeal] = useState<CyzSeal | null>(null);
  const [scriptError, setScriptError] = useState(false);
  const [passkeysWork, setPasskeysWork] = useState(true);
  const [method, setMethod] = useState<"transfer" | "guarantee">("transfer");
  const [chosen, setChosen] = useState<string[]>(() => d.holders.map((h) => h.credentialId));
  const [problems, setProblems] = useState<{ field: string; key: string }[]>([]);
  const [phase, setPhase] = useState<"idle" | "sealing" | "confirm" | "uploading" | "submitting" | "retry">("idle");
  const [percent, setPercent] = useState(0);
  const [backup, setBackup] = useState<{ code: string; url: string; fileName: string } | null>(null);
  const [done, setDone] = useState<ReceiptView | null>(null);
  const pending = useRef<Pending | null>(null);
  const stop = useRef<AbortController | null>(null);

  useEffect(() => {
    let live = true;
    loadSeal(d.script)
      .then(async (s) => {
        if (!live) return;
        setSeal(s);
        setPasskeysWork(await s.supportsPasskeySealing());
      })
      .catch(() => live && setScriptError(true));
    return () => {
      live = false;
      stop.current?.abort();
    };
  }, [d.script]);
  // Newly prepared passkeys join the chosen set.
  useEffect(() => setChosen((c) => [...new Set([...c, ...d.holders.map((h) => h.credentialId)])].filter((id) => d.holders.some((h) => h.credentialId === id))), [d.holders]);

  const fieldProblems = (field: string) => problems.filter((p) => p.field === field);

  async function send(p: Pending) {
    setPhase("uploading");
    try {
      if (!p.uploadId) {
        const { upload } = await import("./resumable-uploads.client");
        stop.current = new AbortController();
        p.uploadId = await upload(p.file, stop.current.signal, (pc) => setPercent(Math.round(pc)), "sealed");
      }
      setPhase("submitting");
      // Replacing the bid in force: the passkey approves it now (kept for a retry of the same submission).
      if (d.own?.status === "sealed" && !d.proof.stepUpProved && d.proof.hasPasskey && p.approval === undefined) p.approval = await approveBidAct(d.tender.id, "replace");
      const out = (await postJson(`/notices/${d.tender.id}/bid/seal`, {
        intent: "submit",
        submissionId: p.submissionId,
        uploadId: p.uploadId,
        ciphertextHash: p.sealed.ciphertextHash,
        plaintextHash: p.sealed.plaintextHash,
        commitment: p.sealed.commitment,
        scriptVersion: d.script.version,
        scriptSha256: d.script.sha256,
        wraps: p.sealed.wraps,
        approval: p.approval,
      })) as { receipt: ReceiptView };
      setDone(out.receipt);
      pending.current = null;
      setPhase("idle");
      revalidator.revalidate();
    } catch (e) {
      const key = keyOf(e, "bid.errors.network");
      // A refusal is final: seal again. A network failure keeps the sealed bid and its idempotency key for a retry.
      if (key === "bid.errors.network" || key === "errors.page.unexpected" || key === "errors.passkeyCancelled") {
        setProblems([{ field: "form", key: key === "errors.passkeyCancelled" ? key : "bid.errors.network" }]);
        setPhase("retry");
      } else {
        pending.current = null;
        setProblems([{ field: "form", key }]);
        setPhase("idle");
      }
    }
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!seal || phase !== "idle") return;
    setProblems([]);
    setDone(null);
    setBackup(null);
    const form = new FormData(e.currentTarget);
    const text = (k: string) => String(form.get(k) ?? "").trim();
    const fileList = (form.getAll("files") as File[]).filter((f) => f && f.size > 0);
    const manager = d.managers.find((m) => m.id === text("projectManagerId"));
    const bid = {
      priceFen: parseYuanToFen(text("price")) ?? NaN,
      durationDays: /^\d{1,4}$/.test(text("durationDays")) ? Number(text("durationDays")) : NaN,
      projectManagerId: text("projectManagerId"),
      projectManager: manager ? { name: manager.name, certificateNumber: manager.certificateNumber } : null,
      quality: text("quality"),
      security:
        method === "transfer"
          ? {
              method,
              amountFen: parseYuanToFen(text("securityAmount")) ?? NaN,
              date: text("securityDate"),
              reference: text("securityReference"),
              fromAccount: d.bank?.bankAccount ?? "",
            }
          : {
              method,
              amountFen: parseYuanToFen(text("securityAmount")) ?? NaN,
              issuer: text("securityIssuer"),
              number: text("securityNumber"),
              validUntil: text("securityValidUntil"),
            },
    };
    setPhase("sealing");
    try {
      const files = await Promise.all(fileList.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      const rules = {
        ceilingFen: d.tender.ceilingFen,
        bidSecurityFen: d.tender.bidSecurityFen,
        // v1.js compares a guarantee's last day with this date: it must cover the bid validity period, which the opening checks (bid-manifest.ts).
        deadline: d.tender.guaranteeUntil,
        maxDurationDays: d.tender.durationDays,
        projectManagerIds: d.managers.filter((m) => !m.busy).map((m) => m.id),
        maxFiles: d.limits.maxFiles,
        maxFileBytes: d.limits.maxFileBytes,
      };
      const found = seal.check(bid, files, rules);
      const holders = passkeysWork ? d.holders.filter((h) => chosen.includes(h.credentialId)) : [];
      if (holders.length === 0 && form.get("backupOnly") !== "on") found.push({ field: "holders", key: "bid.errors.backupOnlyConfirm" });
      if (found.length) {
        setProblems(found);
        setPhase("idle");
        return;
      }
      const submissionId = crypto.randomUUID();
      const sealed = await seal.seal(bid, files, { tenderId: d.tender.id, submissionId, holders: holders.map((h) => ({ credentialId: h.credentialId, publicKey: h.publicKey })) });
      const file = new File([sealed.ciphertext as Uint8Array<ArrayBuffer>], `bid-${submissionId}.sealed`, { type: "application/octet-stream" });
      pending.current = { submissionId, sealed, file };
      // The backup key is handed over before anything is sent: a bid must never be on record with a key nobody kept.
      const text = [
        t("bid.backupFile.title"),
        `${t("bid.backupFile.project")}: ${d.tender.name}`,
        `${t("bid.backupFile.tender")}: ${d.tender.id}`,
        `${t("bid.backupFile.submission")}: ${submissionId}`,
        `${t("bid.backupFile.commitment")}: ${sealed.commitment}`,
        "",
        `${t("bid.backupFile.key")}:`,
        sealed.backupCode,
        "",
        t("bid.backupFile.warning"),
        "",
      ].join("\n");
      if (backup) URL.revokeObjectURL(backup.url);
      setBackup({
        code: sealed.backupCode,
        url: URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" })),
        fileName: `${t("bid.backupFile.name")}-${submissionId.slice(0, 8)}.txt`,
      });
      setPhase("confirm");
    } catch (err) {
      setProblems([{ field: "form", key: keyOf(err) }]);
      setPhase("idle");
    }
  }

  const errorList = (field: string) =>
    fieldProblems(field).map((p) => (
      <p key={p.key} className="field-error" role="alert">
        {t(p.key)}
      </p>
    ));
  const busy = phase !== "idle" && phase !== "retry";
  const hideSubmit = phase === "confirm";
  const noHolders = !passkeysWork || chosen.length === 0;

  return (
    <div className="stack" data-testid="bid-form-area">
      {scriptError && (
        <p className="form-error" role="alert">
          {t("bid.errors.script")}
        </p>
      )}
      {done && (
        <div className="stack" data-testid="bid-done">
          <p className="notice ok" role="status">
            {t("bid.received", { at: done.receivedAt })}
          </p>
          <ReceiptCard r={done} />
        </div>
      )}
      {backup && (
        <div className="stack" data-testid="backup">
          <h3>{t("bid.backupTitle")}</h3>
          <p>{t("bid.backupExplain")}</p>
          <p className="backup-code" data-testid="backup-code">
            {backup.code}
          </p>
          <p className="field-inline">
            <a className="button" href={backup.url} download={backup.fileName} data-testid="backup-download">
              {t("bid.backupDownload")}
            </a>
            <button type="button" onClick={() => window.print()}>
              {t("bid.print")}
            </button>
          </p>
          {phase === "confirm" && (
            <p className="field-inline">
              <button type="button" className="primary" data-testid="confirm-backup" onClick={() => pending.current && send(pending.current)}>
                {t("bid.backupSavedSubmit")}
              </button>
              <button
                type="button"
                onClick={() => {
                  pending.current = null;
                  setBackup(null);
                  setPhase("idle");
                }}
              >
                {t("bid.cancel")}
              </button>
            </p>
          )}
        </div>
      )}
      <form onSubmit={onSubmit} className="stack" hidden={!seal} noValidate aria-busy={busy}>
        <div className="field">
          <label htmlFor="price">{t("bid.price")}</label>
          <input id="price" name="price" inputMode="decimal" autoComplete="off" required />
          <span className="unit">{t("bid.yuan")}</span>
          <p className="hint">{t("bid.priceHint", { ceiling: (d.tender.ceilingFen / 100).toFixed(2) })}</p>
          {errorList("price")}
        </div>
        <div className="field">
          <label htmlFor="durationDays">{t("bid.duration")}</label>
          <input id="durationDays" name="durationDays" inputMode="numeric" defaultValue={String(d.tender.durationDays)} required />
          <span className="unit">{t("bid.days")}</span>
          {errorList("durationDays")}
        </div>
        <div className="field">
          <label htmlFor="projectManagerId">{t("bid.projectManager")}</label>
          <select id="projectManagerId" name="projectManagerId" defaultValue={d.managers.find((m) => !m.busy)?.id ?? ""}>
            {d.managers.map((m) => (
              <option key={m.id} value={m.id} disabled={m.busy}>
                {m.name}（{m.certificateNumber}）{m.busy ? ` — ${t("bid.managerBusy")}` : ""}
              </option>
            ))}
          </select>
          {errorList("projectManagerId")}
        </div>
        <div className="field">
          <label htmlFor="quality">{t("bid.quality")}</label>
          <textarea id="quality" name="quality" rows={2} maxLength={2000} defaultValue={t("bid.qualityDefault")} />
          {errorList("quality")}
        </div>
        <fieldset className="field">
          <legend>{t("bid.securityTitle", { amount: (d.tender.bidSecurityFen / 100).toFixed(2) })}</legend>
          <label className="field-inline">
            <input type="radio" name="securityMethod" value="transfer" checked={method === "transfer"} onChange={() => setMethod("transfer")} /> {t("bid.securityTransfer")}
          </label>
          <label className="field-inline">
            <input type="radio" name="securityMethod" value="guarantee" checked={method === "guarantee"} onChange={() => setMethod("guarantee")} /> {t("bid.securityGuarantee")}
          </label>
          <div className="field">
            <label htmlFor="securityAmount">{t("bid.securityAmount")}</label>
            <input id="securityAmount" name="securityAmount" inputMode="decimal" defaultValue={(d.tender.bidSecurityFen / 100).toFixed(2)} />
            <span className="unit">{t("bid.yuan")}</span>
            {errorList("securityAmount")}
          </div>
          {method === "transfer" ? (
            <>
              <p className="hint">{d.bank ? t("bid.fromAccount", d.bank) : t("bid.noBank")}</p>
              <div className="field">
                <label htmlFor="securityDate">{t("bid.securityDate")}</label>
                <input id="securityDate" name="securityDate" type="date" />
                {errorList("securityDate")}
              </div>
              <div className="field">
                <label htmlFor="securityReference">{t("bid.securityReference")}</label>
                <input id="securityReference" name="securityReference" maxLength={100} />
                {errorList("securityReference")}
              </div>
            </>
          ) : (
            <>
              <div className="field">
                <label htmlFor="securityIssuer">{t("bid.securityIssuer")}</label>
                <input id="securityIssuer" name="securityIssuer" maxLength={100} />
                {errorList("securityIssuer")}
              </div>
              <div className="field">
                <label htmlFor="securityNumber">{t("bid.securityNumber")}</label>
                <input id="securityNumber" name="securityNumber" maxLength={100} />
                {errorList("securityNumber")}
              </div>
              <div className="field">
                <label htmlFor="securityValidUntil">{t("bid.securityValidUntil")}</label>
                <input id="securityValidUntil" name="securityValidUntil" type="date" min={d.tender.guaranteeUntil} aria-describedby="securityValidUntil-hint" />
                <p className="hint" id="securityValidUntil-hint">
                  {t("bid.securityValidUntilHint", { day: d.tender.guaranteeUntil, days: d.tender.bidValidityDays })}
                </p>
                {errorList("securityValidUntil")}
              </div>
            </>
          )}
          {errorList("securityMethod")}
        </fieldset>
        <div className="field">
          <label htmlFor="files">{t("bid.files", { n: d.limits.maxFiles })}</label>
          <input id="files" name="files" type="file" accept="application/pdf,.pdf" multiple />
          <p className="hint">{t("bid.filesHint", { mb: Math.round(d.limits.maxFileBytes / 1024 / 1024) })}</p>
          {errorList("files")}
        </div>
        <fieldset className="field">
          <legend>{t("bid.holdersTitle")}</legend>
          <p className="hint">{t("bid.holdersHint")}</p>
          {!passkeysWork && <p className="notice warn">{t("bid.browserNoPasskeySealing")}</p>}
          {passkeysWork &&
            d.holders.map((h) => (
              <label key={h.credentialId} className="field-inline">
                <input
                  type="checkbox"
                  name="holder"
                  value={h.credentialId}
                  checked={chosen.includes(h.credentialId)}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, h.credentialId] : c.filter((x) => x !== h.credentialId)))}
                />
                {h.userName} · {h.name}
                {h.mine ? ` (${t("bid.mine")})` : ""}
              </label>
            ))}
          <PreparePasskey d={d} seal={seal} />
          {noHolders && (
            <div className="notice warn" data-testid="backup-only-warning">
              <p>{t("bid.backupOnlyWarning")}</p>
              <label className="field-inline">
                <input type="checkbox" name="backupOnly" /> {t("bid.backupOnlyConfirm")}
              </label>
            </div>
          )}
          {errorList("holders")}
        </fieldset>
        {errorList("form")}
        {phase === "uploading" && (
          <p role="status">
            {t("bid.uploading")} <progress className="progress" max={100} value={percent} />
          </p>
        )}
        {phase === "sealing" && <p role="status">{t("bid.sealing")}</p>}
        {phase === "submitting" && <p role="status">{t("bid.submitting")}</p>}
        {phase === "retry" ? (
          <button type="button" className="primary" onClick={() => pending.current && send(pending.current)}>
            {t("bid.retry")}
          </button>
        ) : hideSubmit ? null : (
          <button type="submit" className="primary" disabled={busy} data-testid="seal-submit">
            {d.own?.status === "sealed" ? t("bid.replace") : t("bid.submit")}
          </button>
        )}
      </form>
    </div>
  );
}

function ReceiptCard({ r }: { r: ReceiptView }) {
  const { t } = useTranslation();
  return (
    <div className="receipt" data-testid="receipt">
      <dl className="facts">
        <dt>{t("bid.receiptNo")}</dt>
        <dd className="hash">{r.id}</dd>
        <dt>{t("bid.receiptKind")}</dt>
        <dd>{t(`bid.kind.${r.kind}`, { seq: r.seq })}</dd>
        <dt>{t("bid.serverTime")}</dt>
        <dd data-testid="receipt-time">{r.receivedAt}</dd>
        <dt>{t("bid.commitment")}</dt>
        <dd className="hash" data-testid="receipt-commitment">
          {r.commitment}
        </dd>
        {r.ciphertextHash && (
          <>
            <dt>{t("bid.ciphertextHash")}</dt>
            <dd className="hash">{r.ciphertextHash}</dd>
            <dt>{t("bid.plaintextHash")}</dt>
            <dd className="hash">{r.plaintextHash}</dd>
            <dt>{t("bid.size")}</dt>
            <dd>{t("bid.bytes", { n: r.ciphertextSize })}</dd>
            <dt>{t("bid.script")}</dt>
            <dd className="hash">
              {r.scriptVersion} · {r.scriptSha256}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

export function BidReceipts({ receipts }: { receipts: ReceiptView[] }) {
  return (
    <div className="stack" data-testid="receipt-list">
      {receipts.map((r) => (
        <ReceiptCard key={r.id} r={r} />
      ))}
    </div>
  );
}

/**
 * Re-seal the current bid to the company's passkeys as they are now: open
 * the data key here with a passkey or the backup code, wrap it again for the
 * chosen passkeys. The ciphertext and the receipt stay as they are.
 */
export function ResealBid({ d }: { d: SealingPageData }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; key: string } | null>(null);
  const wraps = d.own?.wraps ?? [];
  const sealedTo = wraps.filter((w) => w.kind === "passkey").map((w) => w.credentialId!);
  const [keep, setKeep] = useState<string[]>(() => d.holders.map((h) => h.credentialId));
  const nameOf = (id: string) => {
    const h = d.holders.find((x) => x.credentialId === id);
    return h ? `${h.userName} · ${h.name}` : t("bid.removedPasskey");
  };
  const myWrapped = d.myPasskeys.filter((p) => sealedTo.includes(p.id)).map((p) => p.id);

  async function reseal(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!d.own) return;
    setBusy(true);
    setMessage(null);
    const code = String(new FormData(e.currentTarget).get("backupCode") ?? "").trim();
    try {
      const seal = await loadSeal(d.script);
      const ctx = { tenderId: d.tender.id, submissionId: d.own.submissionId };
      let dataKey: Uint8Array;
      if (code)
        dataKey = await seal.unwrapWithBackup(
          wraps.find((w) => w.kind === "backup")!,
          code,
          ctx,
        );
      else {
        if (myWrapped.length === 0) throw new Error("bid.errors.needBackupCode");
        const challenge = seal.b64u(crypto.getRandomValues(new Uint8Array(32)));
        const { prf } = await seal.passkeyPrf({ challenge, rpId: d.rpId, credentialIds: myWrapped });
        const wrap = wraps.find((w) => w.kind === "passkey" && myWrapped.includes(w.credentialId!));
        // The authenticator chose one of my passkeys: try each of my wraps.
        dataKey = await (async () => {
          for (const w of wraps.filter((x) => x.kind === "passkey" && myWrapped.includes(x.credentialId!))) {
            try {
              return await seal.unwrapWithPrf(w, prf, ctx);
            } catch {
              /* not this one */
            }
          }
          return seal.unwrapWithPrf(wrap!, prf, ctx);
        })();
        prf.fill(0);
      }
      const add = d.holders.filter((h) => keep.includes(h.credentialId) && !sealedTo.includes(h.credentialId));
      const fresh = await seal.rewrap(
        dataKey,
        add.map((h) => ({ credentialId: h.credentialId, publicKey: h.publicKey })),
        ctx,
      );
      dataKey.fill(0);
      await postJson(`/notices/${d.tender.id}/bid/seal`, { intent: "reseal", versionId: d.own.current.id, retire: sealedTo.filter((id) => !keep.includes(id)), wraps: fresh });
      setMessage({ ok: true, key: "bid.resealed" });
      revalidator.revalidate();
    } catch (err) {
      setMessage({ ok: false, key: keyOf(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack" id="reseal">
      <p>
        {t("bid.sealedTo")}: {sealedTo.length ? sealedTo.map(nameOf).join("、") : t("bid.backupOnly")}
      </p>
      {!open ? (
        <button type="button" onClick={() => setOpen(true)} data-testid="reseal-open">
          {t("bid.reseal")}
        </button>
      ) : (
        <form onSubmit={reseal} className="stack">
          <p className="hint">{t("bid.resealHint")}</p>
          {d.holders.map((h) => (
            <label key={h.credentialId} className="field-inline">
              <input
                type="checkbox"
                checked={keep.includes(h.credentialId)}
                onChange={(e) => setKeep((k) => (e.target.checked ? [...k, h.credentialId] : k.filter((x) => x !== h.credentialId)))}
              />
              {h.userName} · {h.name}
            </label>
          ))}
          <div className="field">
            <label htmlFor="backupCode">{t("bid.backupCodeLabel")}</label>
            <input id="backupCode" name="backupCode" autoComplete="off" spellCheck={false} />
            <p className="hint">{myWrapped.length ? t("bid.backupCodeOptional") : t("bid.errors.needBackupCode")}</p>
          </div>
          <button type="submit" disabled={busy} data-testid="reseal-submit">
            {t("bid.resealDo")}
          </button>
        </form>
      )}
      {message && (
        <p className={message.ok ? "notice ok" : "form-error"} role={message.ok ? "status" : "alert"}>
          {t(message.key)}
        </p>
      )}
    </div>
  );
}
