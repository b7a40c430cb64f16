import { browserSupportsWebAuthn, startRegistration } from "@simplewebauthn/browser";
import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

/** Add a passkey to the signed-in account. Needs JavaScript; the page says so otherwise. */
export function PasskeyRegister() {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [supported, setSupported] = useState<boolean | null>(null);
  const [name, setName] = useState("");
  const [message, setMessage] = useState<{ kind: "ok" | "error"; key: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);

  async function register() {
    setMessage(null);
    setBusy(true);
    try {
      const res = await fetch("/auth/passkey/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ step: "options" }),
      });
      const body = (await res.json()) as { options?: unknown; error?: string };
      if (!res.ok || !body.options) throw new Error(body.error ?? "errors.passkeyFailed");
      let response;
      try {
        response = await startRegistration({ optionsJSON: body.options as never });
      } catch {
        throw new Error("errors.passkeyCancelled");
      }
      const verify = await fetch("/auth/passkey/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ step: "verify", response, name }),
      });
      const out = (await verify.json()) as { ok?: boolean; error?: string };
      if (!verify.ok || !out.ok) throw new Error(out.error ?? "errors.passkeyFailed");
      setName("");
      setMessage({ kind: "ok", key: "passkey.added" });
      revalidator.revalidate();
    } catch (e) {
      const key = (e as Error).message;
      setMessage({ kind: "error", key: key.startsWith("errors.") ? key : "errors.passkeyFailed" });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <noscript>
        <p className="notice">{t("passkey.needsJs")}</p>
      </noscript>
      {supported === false && <p className="notice">{t("passkey.unsupported")}</p>}
      <div className="stack" hidden={!supported}>
        <label htmlFor="passkey-name">{t("passkey.nameLabel")}</label>
        <input id="passkey-name" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} placeholder={t("passkey.namePlaceholder")} />
        <button type="button" className="primary" onClick={register} disabled={busy}>
          {t("passkey.add")}
        </button>
      </div>
      {message && (
        <p className={message.kind === "ok" ? "notice" : "form-error"} role={message.kind === "ok" ? "status" : "alert"}>
          {t(message.key)}
        </p>
      )}
    </div>
  );
}
