/**
 * The live parts of the opening hall: the countdown, the event stream that
 * keeps every participant's page current, and the bidder's decryption in the
 * browser (with the published sealing script; the data key goes to the
 * platform only after the bid was checked against the receipt here).
 */
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "./forms";
import { SignDocument } from "./sign-document";
import { keyOf, loadSeal, postJson, type SealingPageData, type Wrap } from "./sealed-bid";

export function Countdown({ deadlineMs, nowMs, label }: { deadlineMs: number; nowMs: number; label: string }) {
  // The server's clock is the one that counts: keep its offset from this device's.
  const [left, setLeft] = useState(deadlineMs - nowMs);
  useEffect(() => {
    const skew = Date.now() - nowMs;
    const id = setInterval(() => setLeft(deadlineMs - (Date.now() - skew)), 1000);
    return () => clearInterval(id);
  }, [deadlineMs, nowMs]);
  const s = Math.max(0, Math.floor(left / 1000));
  const { t } = useTranslation();
  const text = t("opening.countdownValue", {
    days: Math.floor(s / 86400),
    time: `${String(Math.floor((s % 86400) / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`,
  });
  return (
    <p data-testid="countdown">
      {label} <strong>{text}</strong>
    </p>
  );
}

/**
 * Subscribe to the hall's server-sent events and reload the page's data when
 * one arrives. EventSource reconnects by itself and sends Last-Event-ID, so
 * the server replays whatever was missed.
 */
export function LiveStatus({ tenderId, lastEventId }: { tenderId: string; lastEventId: number }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [status, setStatus] = useState<"connecting" | "live" | "lost">("connecting");
  const timer = useRef<number | null>(null);
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const first = useRef(lastEventId);
  useEffect(() => {
    const es = new EventSource(`/notices/${tenderId}/hall/events?lastEventId=${first.current}`);
    es.onopen = () => setStatus("live");
    es.onerror = () => setStatus("lost");
    const reload = () => {
      // Several events in a burst: one reload; none while offline (the "online" event brings it).
      if (timer.current) window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => navigator.onLine && revalidate.current(), 200);
    };
    es.addEventListener("hall", () => {
      setStatus("live");
      reload();
    });
    window.addEventListener("online", reload);
    return () => {
      es.close();
      window.removeEventListener("online", reload);
      if (timer.current) window.clearTimeout(timer.current);
    };
  }, [tenderId]);
  if (status === "connecting") return null;
  return status === "live" ? (
    <p className="muted small" data-testid="live">
      ● {t("opening.live")}
    </p>
  ) : (
    <p className="notice warn" role="status">
      {t("opening.liveLost")}
    </p>
  );
}

type Material = { submissionId: string; receipt: { ciphertextHash: string; plaintextHash: string; commitment: string }; wraps: Wrap[] };

export function DecryptPanel({ tenderId, seal }: { tenderId: string; seal: { script: SealingPageData["script"]; rpId: string; passkeyIds: string[] } }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [code, setCode] = useState("");

  async function decrypt(withBackup: boolean) {
    setBusy(true);
    setError(null);
    try {
      const s = await loadSeal(seal.script);
      const res = await fetch(`/notices/${tenderId}/hall/decrypt`, { headers: { Accept: "application/json" } });
      const material = (await res.json()) as Material & { error?: string };
      if (!res.ok) throw new Error(material.error ?? "errors.opening.notNow");
      const ctx = { tenderId, submissionId: material.submissionId };
      let key: Uint8Array | null = null;
      if (withBackup)
        key = await s.unwrapWithBackup(
          material.wraps.find((w) => w.kind === "backup")!,
          code,
          ctx,
        );
      else {
        const mine = material.wraps.filter((w) => w.kind === "passkey" && seal.passkeyIds.includes(w.credentialId!));
        if (mine.length === 0) throw new Error("bid.errors.needBackupCode");
        const { prf } = await s.passkeyPrf({ challenge: s.b64u(crypto.getRandomValues(new Uint8Array(32))), rpId: seal.rpId, credentialIds: mine.map((w) => w.credentialId!) });
        for (const w of mine) {
          try {
            key = await s.unwrapWithPrf(w, prf, ctx);
            break;
          } catch {
            /* another of my passkeys */
          }
        }
        prf.fill(0);
        if (!key) throw new Error("seal.wrongKey");
      }
      // Check the bid against the receipt here, before the key leaves this device.
      const ct = new Uint8Array(await (await fetch(`/notices/${tenderId}/hall/decrypt?file=1`)).arrayBuffer());
      await s.open(ct, key, ctx, material.receipt);
      const out = await postJson(`/notices/${tenderId}/hall/decrypt`, { dataKey: s.b64u(key) });
      key.fill(0);
      if (out.ok === false) throw new Error(String(out.error));
      revalidator.revalidate();
    } catch (e) {
      setError(keyOf(e, "errors.opening.wrongKey"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <p className="hint">{t("opening.decryptHint")}</p>
      <button type="button" className="primary" disabled={busy} onClick={() => decrypt(false)} data-testid="decrypt-passkey">
        {t("opening.decryptWithPasskey")}
      </button>
      <label htmlFor="backup-code">{t("opening.backupCode")}</label>
      <input id="backup-code" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} />
      <button type="button" disabled={busy || !code.trim()} onClick={() => decrypt(true)} data-testid="decrypt-backup">
        {t("opening.decryptWithBackup")}
      </button>
      <ErrorText messageKey={error} />
    </div>
  );
}

/**
 * Shown when reloading the hall's data failed (a phone off the network): keep
 * trying, and the hall comes back as soon as the connection does.
 */
export function HallReconnecting() {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const again = useRef(revalidator.revalidate);
  again.current = revalidator.revalidate;
  useEffect(() => {
    const id = window.setInterval(() => navigator.onLine && again.current(), 3000);
    const now = () => again.current();
    window.addEventListener("online", now);
    return () => {
      window.clearInterval(id);
      window.removeEventListener("online", now);
    };
  }, []);
  return (
    <section className="card">
      <p className="notice warn" role="status" data-testid="hall-reconnecting">
        {t("opening.liveLost")}
      </p>
    </section>
  );
}

/** The host signs the opening record with their passkey (the challenge is the PDF's digest). */
export function SignRecord({ tenderId }: { tenderId: string }) {
  const { t } = useTranslation();
  return <SignDocument endpoint={`/notices/${tenderId}/hall/sign`} label={t("opening.signRecord")} hint={t("opening.signHint")} testId="sign-record" />;
}
