import { useTranslation } from "react-i18next";
import type { FormErrors } from "~/utils/forms";
import { FieldError } from "./forms";

export function Field({ name, label, errors, children, hint }: { name: string; label: string; errors?: FormErrors; children: React.ReactNode; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {children}
      {hint && <p className="hint">{hint}</p>}
      <FieldError id={`${name}-err`} errors={errors} name={name} />
    </div>
  );
}

export const invalid = (errors: FormErrors | undefined, name: string) => (errors?.[name] ? { "aria-invalid": true as const, "aria-describedby": `${name}-err` } : {});

/** Text inputs, each with its label and error; values come back after a refused submission. */
export function TextFields({
  fields,
  values,
  errors,
}: {
  fields: { name: string; type?: string; inputMode?: "tel" | "numeric" | "text"; autoComplete?: string; maxLength?: number; hint?: string }[];
  values: Record<string, string>;
  errors?: FormErrors;
}) {
  const { t } = useTranslation();
  return (
    <>
      {fields.map((f) => (
        <Field key={f.name} name={f.name} label={t(`company.fields.${f.name}`)} errors={errors} hint={f.hint}>
          <input
            id={f.name}
            name={f.name}
            type={f.type ?? "text"}
            inputMode={f.inputMode}
            autoComplete={f.autoComplete}
            maxLength={f.maxLength ?? 200}
            defaultValue={f.type === "password" ? undefined : (values[f.name] ?? "")}
            {...invalid(errors, f.name)}
          />
        </Field>
      ))}
    </>
  );
}

export const PROFILE_FIELDS = [
  { name: "legalRepresentative", maxLength: 40 },
  { name: "address" },
  { name: "contactName", maxLength: 40 },
  { name: "contactPhone", type: "tel", inputMode: "tel" as const, maxLength: 20 },
  { name: "bankName", maxLength: 100 },
  { name: "bankAccount", inputMode: "numeric" as const, maxLength: 40 },
  { name: "bankAccountName", maxLength: 100 },
];

export function QualificationFields({ values, errors }: { values: Record<string, string>; errors?: FormErrors }) {
  const { t } = useTranslation();
  return (
    <>
      <TextFields
        fields={[
          { name: "qualName", maxLength: 60 },
          { name: "qualNumber", maxLength: 60 },
        ]}
        values={values}
        errors={errors}
      />
      <Field name="qualExpiry" label={t("company.fields.qualExpiry")} errors={errors}>
        <input id="qualExpiry" name="qualExpiry" type="date" defaultValue={values.qualExpiry ?? ""} {...invalid(errors, "qualExpiry")} />
      </Field>
      <Field name="qualFile" label={t("company.fields.qualFile")} errors={errors}>
        <input id="qualFile" name="qualFile" type="file" accept="application/pdf,.pdf" {...invalid(errors, "qualFile")} />
      </Field>
    </>
  );
}

export function ManagerFields({ values, errors }: { values: Record<string, string>; errors?: FormErrors }) {
  const { t } = useTranslation();
  return (
    <>
      <TextFields
        fields={[
          { name: "pmName", maxLength: 40 },
          { name: "pmCertificate", maxLength: 60 },
        ]}
        values={values}
        errors={errors}
      />
      <Field name="pmFile" label={t("company.fields.pmFile")} errors={errors}>
        <input id="pmFile" name="pmFile" type="file" accept="application/pdf,.pdf" {...invalid(errors, "pmFile")} />
      </Field>
    </>
  );
}
