import { browserSupportsWebAuthn, startAuthentication } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "./forms";

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const payload = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { ok: res.ok, payload };
}

/** Sign in with a passkey (discoverable credential, user verification required). Needs JavaScript. */
export function PasskeyLoginButton({ redirectTo }: { redirectTo: string }) {
  const { t } = useTranslation();
  const [supported, setSupported] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setSupported(browserSupportsWebAuthn()), []);

  async function signIn() {
    setError(null);
    setBusy(true);
    try {
      const options = await postJson("/auth/passkey/login", { step: "options" });
      if (!options.ok) throw new Error(String(options.payload.error ?? "errors.passkeyFailed"));
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.payload.options as never });
      } catch {
        throw new Error("errors.passkeyCancelled");
      }
      const verified = await postJson("/auth/passkey/login", { step: "verify", response, redirectTo });
      if (!verified.ok) throw new Error(String(verified.payload.error ?? "errors.passkeyFailed"));
      window.location.assign(String(verified.payload.redirectTo ?? "/dashboard"));
    } catch (e) {
      const key = (e as Error).message;
      setError(key.startsWith("errors.") ? key : "errors.passkeyFailed");
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <noscript>
        <p className="notice">{t("passkey.needsJs")}</p>
      </noscript>
      {supported === false && <p className="notice">{t("passkey.unsupported")}</p>}
      <button type="button" className="secondary" onClick={signIn} disabled={!supported || busy} hidden={supported === null}>
        {t("login.withPasskey")}
      </button>
      <ErrorText messageKey={error} />
    </div>
  );
}
