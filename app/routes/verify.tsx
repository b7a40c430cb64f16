import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { FormError } from "~/components/forms";
import { verifySignedPdf, VERIFY_MAX_BYTES } from "~/models/signature.server";
import { parseForm, refusal, type FormErrors } from "~/utils/forms";
import { formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.verify"));
export const handle = { hydrate: false, i18n: ["public", "errors"] };

/** Public: anyone checks a signed PDF of the platform (the opening record, later reports and notices). */
const verifyFormSchema = /* @__PURE__ */ z.lazy(() => z.object({ file: z.instanceof(File, { error: "errors.verify.noFile" }).refine((f) => f.size > 0, "errors.verify.noFile") }));

export async function action({ request, context }: ActionFunctionArgs) {
  const length = Number(request.headers.get("Content-Length") ?? 0);
  if (length > VERIFY_MAX_BYTES + 64 * 1024) return data({ errors: { file: "errors.upload.tooLarge" } as FormErrors, results: null, longTerm: null, name: "" }, { status: 413 });
  try {
    const form = await parseForm(request, verifyFormSchema);
    if (!form.ok) return data({ errors: form.errors, results: null, longTerm: null, name: "" }, { status: 400 });
    const { file } = form.data;
    const { signatures, longTerm } = await verifySignedPdf(context.db, context.clock, new Uint8Array(await file.arrayBuffer()));
    const at = (d: Date | null) => (d ? formatBeijing(d, "yyyy-MM-dd HH:mm:ss") : null);
    return {
      errors: {} as FormErrors,
      name: file.name,
      results: signatures.map((r) => ({ ...r, signedAt: at(r.signedAt) })),
      longTerm: longTerm.map((r) => ({ ...r, at: at(r.at) })),
    };
  } catch (e) {
    const refused = refusal(e);
    return data({ errors: refused.errors, results: null, longTerm: null, name: "" }, { status: refused.status });
  }
}

export default function Verify() {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const results = result?.results ?? null;
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("verify.title")}</h1>
        <p>{t("verify.intro")}</p>
        <Form method="post" encType="multipart/form-data" className="stack">
          <label htmlFor="file">{t("verify.file")}</label>
          <input id="file" name="file" type="file" accept="application/pdf,.pdf" required />
          {result?.errors?.file && (
            <p className="field-error" role="alert">
              {t(typeof result.errors.file === "string" ? result.errors.file : result.errors.file.key)}
            </p>
          )}
          <FormError errors={result?.errors} />
          <button type="submit" className="primary" disabled={busy}>
            {t("verify.submit")}
          </button>
        </Form>
      </section>
      {results && (
        <section className="card stack" aria-live="polite" data-testid="verify-results">
          <h2>{result?.name}</h2>
          {results.length === 0 ? (
            <p className="notice warn">{t("verify.unsigned")}</p>
          ) : (
            results.map((r, i) => {
              const good = r.intact && r.trusted && (r.passkey || r.organisation) && r.timestamped && r.unchangedSince && r.revoked !== true;
              return (
                <div key={i} className={good ? "notice ok" : "notice bad"} data-testid="verify-signature">
                  <p>
                    <strong>{t(good ? "verify.good" : "verify.bad", { n: i + 1, signer: r.signer ?? "?" })}</strong>
                  </p>
                  <ul>
                    <li>{t("verify.signedAt", { at: r.signedAt ?? "—" })}</li>
                    <li>{t(r.intact ? "verify.intact" : "verify.notIntact")}</li>
                    <li>{t(r.unchangedSince ? "verify.unchanged" : "verify.changed")}</li>
                    <li>{t(r.trusted ? "verify.trusted" : "verify.untrusted")}</li>
                    <li>{t(r.organisation ? "verify.organisation" : r.passkey ? "verify.passkey" : "verify.noPasskey")}</li>
                    <li>{t(r.timestamped ? "verify.timestamp" : "verify.noTimestamp")}</li>
                    {r.revoked && <li>{t("verify.revoked")}</li>}
                  </ul>
                </div>
              );
            })
          )}
          {(result?.longTerm ?? []).map((s, i) => (
            <p key={`lt-${i}`} className={s.ok && s.crl ? "notice ok" : "notice bad"} data-testid="verify-longterm">
              {t(s.ok && s.crl ? "verify.longTerm" : "verify.longTermBad", { at: s.at ?? "—" })}
            </p>
          ))}
        </section>
      )}
    </div>
  );
}
