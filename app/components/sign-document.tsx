/**
 * Sign a generated PDF with one's passkey (云签章): ask the server for the
 * document's digest as a WebAuthn challenge, let the passkey approve it, send
 * the approval back. When another signer's signature landed in between
 * (errors.signature.stale), the document has a new revision: ask again.
 */
import { startAuthentication } from "@simplewebauthn/browser";
import { useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorText } from "./forms";
import { keyOf, postJson } from "./sealed-bid";

const STALE_RETRIES = 3;

export function SignDocument({ endpoint, label, hint, testId }: { endpoint: string; label: string; hint?: string; testId?: string }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function signOnce() {
    const { requestId, options } = (await postJson(endpoint, { step: "options" })) as { requestId: string; options: unknown };
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options as never });
    } catch {
      throw new Error("errors.passkeyCancelled");
    }
    await postJson(endpoint, { step: "verify", requestId, response });
  }
  async function sign() {
    setBusy(true);
    setError(null);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await signOnce();
          break;
        } catch (e) {
          if (keyOf(e, "") !== "errors.signature.stale" || attempt >= STALE_RETRIES) throw e;
        }
      }
      revalidator.revalidate();
    } catch (e) {
      setError(keyOf(e, "errors.passkeyFailed"));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      {hint && <p className="hint">{hint}</p>}
      <button type="button" className="primary" onClick={sign} disabled={busy} data-testid={testId}>
        {busy ? t("signature.signing") : label}
      </button>
      <ErrorText messageKey={error} />
    </div>
  );
}
