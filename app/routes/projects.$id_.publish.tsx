import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { FieldError, FormError } from "~/components/forms";
import { resumableUploads } from "~/components/resumable-uploads";
import { actsForVillage } from "~/models/agent.server";
import { getCountySettings } from "~/models/county-settings.server";
import { checkPdf } from "~/models/file-store.server";
import { checkTransition } from "~/models/lifecycle";
import { getProject } from "~/models/project.server";
import { publishTender, tenderFormSchema } from "~/models/tender.server";
import { EVALUATION_METHODS } from "~/models/tender-rules";
import { currentTemplate } from "~/models/template.server";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { parseFormData, refusal, type FormErrors } from "~/utils/forms";
import { formatFen, fenToYuanInput } from "~/utils/money";
import { beijingDay, formatBeijing } from "~/utils/time";
import { parseUploadForm } from "~/utils/uploads.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.publish"));
export const handle = { i18n: ["projects", "errors"] };

async function load(request: Request, context: LoaderFunctionArgs["context"], id: string) {
  const auth = await requireRole(request, context, ["committee", "agent"]);
  const project = await getProject(context.db, id);
  if (!project) throw notFound();
  // The village's committee, or the agent it appointed on this project.
  if (!(await actsForVillage(context.db, project, auth.membership.role, auth.membership.org.id))) throw forbidden("");
  return { auth, project };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { project: p } = await load(request, context, params.id ?? "");
  if (!checkTransition(p.state, "publish", "committee").ok) throw redirect(`/projects/${p.id}`);
  const settings = await getCountySettings(context.db, p.countyId);
  const template = await currentTemplate(context.db, context.clock, p.countyId);
  const now = context.clock.now();
  const earliest = new Date(now.getTime() + (settings.minAnnouncementDays + 1) * 24 * 3600 * 1000);
  return {
    project: { id: p.id, name: p.name, ceiling: formatFen(p.ceilingFen), estimate: formatFen(p.estimateFen) },
    template: { version: template.version, title: template.title },
    rules: {
      minDays: settings.minAnnouncementDays,
      securityCap: formatFen(Math.floor((p.estimateFen * settings.bidSecurityMaxBasisPoints) / 10_000)),
      panelMin: settings.panelSizeSmall,
    },
    defaults: {
      deadline: `${beijingDay(earliest)}T09:30`,
      decryptionWindowMinutes: String(settings.decryptionWindowMinutes),
      bidSecurity: fenToYuanInput(Math.floor((p.estimateFen * Math.min(settings.bidSecurityMaxBasisPoints, 100)) / 10_000)),
      panelSize: String(settings.panelSizeSmall),
      coefficient: (settings.reasonableLowCoefficientBasisPoints / 100).toFixed(2),
      priceWeight: "60",
      earliest: formatBeijing(new Date(now.getTime() + settings.minAnnouncementDays * 24 * 3600 * 1000)),
    },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { auth, project } = await load(request, context, params.id ?? "");
  const settings = await getCountySettings(context.db, project.countyId);
  const {
    form,
    uploads,
    errors: uploadErrors,
  } = await parseUploadForm(request, context.files, {
    maxBytes: settings.uploadMaxMegabytes * 1024 * 1024,
    check: checkPdf,
    owner: auth.user.id,
  });
  // The files went to the store (uploads); the schema reads the text fields.
  const parsed = parseFormData(form, tenderFormSchema);
  const typed = parsed.values;
  if (Object.keys(uploadErrors).length) return data({ errors: uploadErrors as FormErrors, typed }, { status: 400 });
  if (!parsed.ok) return data({ errors: parsed.errors, typed }, { status: 400 });
  try {
    await publishTender(context.db, {
      clock: context.clock,
      actor: actorOf(request, context, auth),
      projectId: project.id,
      actingOrgId: auth.membership.org.id,
      form: parsed.data,
      attachments: [...uploads.values()],
      fileStore: context.files,
    });
  } catch (e) {
    const refused = refusal(e, typed);
    return data({ errors: refused.errors, typed: refused.values }, { status: refused.status });
  }
  throw redirect(`/projects/${project.id}?published=1`);
}

export default function PublishTender() {
  const { t } = useTranslation();
  const { project, template, rules, defaults } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors: FormErrors = result?.errors ?? {};
  const v = (k: string, d = "") => result?.typed?.[k] ?? d;
  const inv = (k: string) => (errors[k] ? { "aria-invalid": true as const, "aria-describedby": `${k}-err` } : {});
  return (
    <div className="stack">
      <section className="card">
        <h1>{t("tender.publishTitle")}</h1>
        <p className="muted">{project.name}</p>
        <p>{t("tender.publishIntro", { version: template.version, title: template.title, ceiling: project.ceiling })}</p>
      </section>
      <Form method="post" encType="multipart/form-data" noValidate className="card" data-resumable ref={resumableUploads}>
        <FormError errors={errors} />
        <fieldset>
          <legend>{t("tender.sections.qualification")}</legend>
          <div className="field">
            <label htmlFor="qualificationClass">{t("tender.fields.qualificationClass")}</label>
            <input
              id="qualificationClass"
              name="qualificationClass"
              defaultValue={v("qualificationClass", "具备建筑工程施工总承包三级及以上资质")}
              {...inv("qualificationClass")}
            />
            <p className="hint">{t("tender.noCapital")}</p>
            <FieldError id="qualificationClass-err" errors={errors} name="qualificationClass" />
          </div>
          <label className="field-inline">
            <input type="checkbox" name="requirePmCertificate" defaultChecked={result ? v("requirePmCertificate") === "on" : true} /> {t("tender.fields.requirePmCertificate")}
          </label>
          <label className="field-inline">
            <input type="checkbox" name="requirePoolMember" defaultChecked={result ? v("requirePoolMember") === "on" : true} /> {t("tender.fields.requirePoolMember")}
          </label>
          <div className="field">
            <label htmlFor="otherRequirements">{t("tender.fields.otherRequirements")}</label>
            <textarea id="otherRequirements" name="otherRequirements" rows={2} defaultValue={v("otherRequirements")} {...inv("otherRequirements")} />
            <FieldError id="otherRequirements-err" errors={errors} name="otherRequirements" />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("tender.sections.timing")}</legend>
          <div className="field">
            <label htmlFor="deadline">{t("tender.fields.deadline")}</label>
            <input id="deadline" name="deadline" type="datetime-local" defaultValue={v("deadline", defaults.deadline)} {...inv("deadline")} />
            <p className="hint">{t("tender.deadlineHint", { days: rules.minDays, earliest: defaults.earliest })}</p>
            <FieldError id="deadline-err" errors={errors} name="deadline" />
          </div>
          <div className="field">
            <label htmlFor="decryptionWindowMinutes">{t("tender.fields.decryptionWindowMinutes")}</label>
            <input
              id="decryptionWindowMinutes"
              name="decryptionWindowMinutes"
              inputMode="numeric"
              defaultValue={v("decryptionWindowMinutes", defaults.decryptionWindowMinutes)}
              {...inv("decryptionWindowMinutes")}
            />
            <FieldError id="decryptionWindowMinutes-err" errors={errors} name="decryptionWindowMinutes" />
          </div>
          <div className="field">
            <label htmlFor="bidSecurity">{t("tender.fields.bidSecurity")}</label>
            <input id="bidSecurity" name="bidSecurity" inputMode="decimal" defaultValue={v("bidSecurity", defaults.bidSecurity)} {...inv("bidSecurity")} />
            <p className="hint">{t("tender.securityHint", { cap: rules.securityCap })}</p>
            <FieldError id="bidSecurity-err" errors={errors} name="bidSecurity" />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("tender.sections.evaluation")}</legend>
          <div className="field">
            <label htmlFor="evaluationMethod">{t("tender.fields.evaluationMethod")}</label>
            <select id="evaluationMethod" name="evaluationMethod" defaultValue={v("evaluationMethod", "reasonable_low")}>
              {EVALUATION_METHODS.map((m) => (
                <option key={m} value={m}>
                  {t(`tender.methods.${m}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="coefficient">{t("tender.fields.coefficient")}</label>
            <input id="coefficient" name="coefficient" inputMode="decimal" defaultValue={v("coefficient", defaults.coefficient)} {...inv("coefficient")} />
            <FieldError id="coefficient-err" errors={errors} name="coefficient" />
          </div>
          <div className="field">
            <label htmlFor="priceWeight">{t("tender.fields.priceWeight")}</label>
            <input id="priceWeight" name="priceWeight" inputMode="numeric" defaultValue={v("priceWeight", defaults.priceWeight)} {...inv("priceWeight")} />
            <FieldError id="priceWeight-err" errors={errors} name="priceWeight" />
          </div>
          <div className="field">
            <label htmlFor="panelSize">{t("tender.fields.panelSize")}</label>
            <input id="panelSize" name="panelSize" inputMode="numeric" defaultValue={v("panelSize", defaults.panelSize)} {...inv("panelSize")} />
            <FieldError id="panelSize-err" errors={errors} name="panelSize" />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("tender.sections.attachments")}</legend>
          <input type="file" name="attachment1" accept="application/pdf,.pdf" aria-label={t("tender.attachment", { n: 1 })} />
          <FieldError id="attachment1-err" errors={errors} name="attachment1" />
          <input type="file" name="attachment2" accept="application/pdf,.pdf" aria-label={t("tender.attachment", { n: 2 })} />
          <FieldError id="attachment2-err" errors={errors} name="attachment2" />
        </fieldset>
        <button type="submit" disabled={busy}>
          {t("tender.publish")}
        </button>
      </Form>
    </div>
  );
}
