import { Form, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { CountySettings } from "~/models/county-settings";
import { allowedMethods, bandOf, mandatoryThreshold, PROJECT_TYPES, SELECTION_METHODS, type ProjectType } from "~/models/project-rules";
import { parseYuanToFen, formatFen } from "~/utils/money";
import type { FormErrors } from "~/utils/forms";
import { FieldError, FormError } from "./forms";
import { resumableUploads } from "./resumable-uploads";

export const STEPS = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"] as const;

export interface ExistingDecision {
  step: string;
  day: string;
  fileName: string;
  eligible: number | null;
  attended: number | null;
  votesFor: number | null;
}

function Field({ name, label, errors, children, hint }: { name: string; label: string; errors?: FormErrors; children: React.ReactNode; hint?: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {children}
      {hint}
      <FieldError id={`${name}-err`} errors={errors} name={name} />
    </div>
  );
}

/**
 * The registration form. Works without JavaScript (the server checks
 * everything); with it, the band and the allowed methods update as the
 * estimate is typed.
 */
export function ProjectForm({
  values,
  decisions,
  errors,
  settings,
}: {
  values: Record<string, string>;
  decisions: ExistingDecision[];
  errors?: FormErrors;
  settings: CountySettings;
}) {
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const [type, setType] = useState<ProjectType>((values.type as ProjectType) || "works");
  const [estimate, setEstimate] = useState(values.estimate ?? "");
  const fen = parseYuanToFen(estimate);
  const band = fen !== null && fen > 0 ? bandOf(settings, type, fen) : null;
  const allowed = band ? allowedMethods(settings, band) : null;
  const inv = (name: string) => (errors?.[name] ? { "aria-invalid": true as const, "aria-describedby": `${name}-err` } : {});
  const existing = new Map(decisions.map((d) => [d.step, d]));
  const v = (name: string, fallback = "") => values[name] ?? fallback;

  return (
    <Form method="post" encType="multipart/form-data" noValidate className="card" data-resumable ref={resumableUploads}>
      <FormError errors={errors} />
      <fieldset>
        <legend>{t("project.sections.basics")}</legend>
        <Field name="name" label={t("project.fields.name")} errors={errors}>
          <input id="name" name="name" defaultValue={v("name")} maxLength={100} {...inv("name")} />
        </Field>
        <Field name="type" label={t("project.fields.type")} errors={errors}>
          <select id="type" name="type" value={type} onChange={(e) => setType(e.target.value as ProjectType)} {...inv("type")}>
            {PROJECT_TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`project.types.${x}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field name="location" label={t("project.fields.location")} errors={errors}>
          <input id="location" name="location" defaultValue={v("location")} {...inv("location")} />
        </Field>
        <Field name="scope" label={t("project.fields.scope")} errors={errors}>
          <textarea id="scope" name="scope" rows={4} defaultValue={v("scope")} {...inv("scope")} />
        </Field>
        <Field
          name="estimate"
          label={t("project.fields.estimate")}
          errors={errors}
          hint={
            <p className={band === "mandatory" ? "notice bad" : "hint"} role="status" data-testid="band-hint">
              {band
                ? t(`project.bands.${band}`, { limit: formatFen(band === "mandatory" ? mandatoryThreshold(settings, type) : settings.openSelectionUpToFen) })
                : t("project.bandHelp")}
            </p>
          }
        >
          <div className="field-inline">
            <input id="estimate" name="estimate" inputMode="decimal" value={estimate} onChange={(e) => setEstimate(e.target.value)} {...inv("estimate")} />
            <span className="unit">{t("settings.units.fen")}</span>
          </div>
        </Field>
        <Field name="ceiling" label={t("project.fields.ceiling")} errors={errors} hint={<p className="hint">{t("project.ceilingHint")}</p>}>
          <div className="field-inline">
            <input id="ceiling" name="ceiling" inputMode="decimal" defaultValue={v("ceiling")} {...inv("ceiling")} />
            <span className="unit">{t("settings.units.fen")}</span>
          </div>
        </Field>
        <Field name="method" label={t("project.fields.method")} errors={errors}>
          <select id="method" name="method" defaultValue={v("method", "open_selection")} {...inv("method")}>
            {SELECTION_METHODS.map((m) => (
              <option key={m} value={m} disabled={allowed ? !allowed.includes(m) : false}>
                {t(`project.methods.${m}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field name="fundingSource" label={t("project.fields.fundingSource")} errors={errors}>
          <input id="fundingSource" name="fundingSource" defaultValue={v("fundingSource")} {...inv("fundingSource")} />
        </Field>
        <Field name="durationDays" label={t("project.fields.durationDays")} errors={errors}>
          <div className="field-inline">
            <input id="durationDays" name="durationDays" inputMode="numeric" defaultValue={v("durationDays")} {...inv("durationDays")} />
            <span className="unit">{t("settings.units.days")}</span>
          </div>
        </Field>
      </fieldset>

      <fieldset>
        <legend>{t("project.sections.decisions")}</legend>
        <p className="hint">{t("project.decisionsHelp", { quorum: settings.villagersMeetingQuorum, majority: settings.villagersMeetingMajority })}</p>
        {STEPS.map((step) => {
          const d = existing.get(step);
          return (
            <div key={step} className="step-block">
              <h3>{t(`project.steps.${step}`)}</h3>
              <Field name={`${step}.day`} label={t("project.fields.day")} errors={errors}>
                <input id={`${step}.day`} name={`${step}.day`} type="date" defaultValue={v(`${step}.day`, d?.day ?? "")} {...inv(`${step}.day`)} />
              </Field>
              {step === "villagers_meeting" && (
                <div className="row">
                  {(["eligible", "attended", "votesFor"] as const).map((k) => (
                    <Field key={k} name={`${step}.${k}`} label={t(`project.fields.${k}`)} errors={errors}>
                      <input
                        id={`${step}.${k}`}
                        name={`${step}.${k}`}
                        inputMode="numeric"
                        className="input-7rem"
                        defaultValue={v(`${step}.${k}`, d?.[k] != null ? String(d[k]) : "")}
                        {...inv(`${step}.${k}`)}
                      />
                    </Field>
                  ))}
                </div>
              )}
              <Field name={`${step}.file`} label={t("project.fields.file")} errors={errors} hint={d ? <p className="hint">{t("project.fileKept", { name: d.fileName })}</p> : null}>
                <input id={`${step}.file`} name={`${step}.file`} type="file" accept="application/pdf,.pdf" {...inv(`${step}.file`)} />
              </Field>
            </div>
          );
        })}
      </fieldset>
      <div className="row">
        <button type="submit" name="intent" value="save" disabled={busy}>
          {t("project.saveDraft")}
        </button>
        <button type="submit" name="intent" value="submit" className="secondary" disabled={busy}>
          {t("project.saveAndSubmit")}
        </button>
      </div>
    </Form>
  );
}
