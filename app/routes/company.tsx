import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "~/utils/zod.server";
import { pageTitle } from "~/utils/i18n";
import { Field, invalid, ManagerFields, PROFILE_FIELDS, QualificationFields, TextFields } from "~/components/company-fields";
import { CreditGrade } from "~/components/credit-grade";
import { FormError, Notice } from "~/components/forms";
import { resumableUploads } from "~/components/resumable-uploads";
import { companyProfileSchema, EXPIRY_WARNING_DAYS, memberSchema, projectManagerSchema, qualificationSchema } from "~/models/company-rules";
import {
  addCompanyMember,
  addProjectManager,
  addQualification,
  applyToPool,
  getCompany,
  listCompanyMembers,
  removeCompanyMember,
  removeProjectManager,
  removeQualification,
  updateCompanyProfile,
  withdrawFromPool,
} from "~/models/company.server";
import { creditOf } from "~/models/credit.server";
import { allowedActionsOf, POOL_MEMBERSHIP_TRANSITIONS } from "~/models/lifecycle";
import { actorOf, requireRole } from "~/utils/auth.server";
import { readCompanyForm } from "~/utils/company-form.server";
import { formText, refusal, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { beijingDay, formatBeijing } from "~/utils/time";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.company"));
export const handle = { i18n: ["company", "errors"] };

export async function loader({ request, context }: LoaderFunctionArgs) {
  // A contractor sees only the company of the role it acts in: the id never comes from the request.
  const auth = await requireRole(request, context, ["contractor"]);
  const c = await getCompany(context.db, auth.membership.org.id, context.clock.now());
  const credit = await creditOf(context.db, { company: c.org.id }, beijingDay(context.clock.now()));
  return {
    company: { id: c.org.id, name: c.org.name, code: c.org.code, address: c.org.address ?? "" },
    profile: c.profile
      ? {
          legalRepresentative: c.profile.legalRepresentative,
          contactName: c.profile.contactName,
          contactPhone: c.profile.contactPhone,
          bankName: c.profile.bankName,
          bankAccount: c.profile.bankAccount,
          bankAccountName: c.profile.bankAccountName,
        }
      : null,
    qualifications: c.qualifications,
    managers: c.managers.map((m) => ({ id: m.id, name: m.name, certificateNumber: m.certificateNumber, fileSha256: m.fileSha256, fileName: m.fileName })),
    applications: c.applications.map((a) => ({
      id: a.id,
      township: a.township,
      status: a.status,
      reason: a.reason,
      appliedAt: formatBeijing(a.appliedAt),
      decidedAt: a.decidedAt ? formatBeijing(a.decidedAt) : null,
    })),
    townships: c.townships,
    members: (await listCompanyMembers(context.db, c.org.id)).map((m) => ({ userId: m.userId, name: m.name, phone: maskPhone(m.phone), you: m.userId === auth.user.id })),
    // The company sees its own whole record: what was recorded, why, for how long, and whether it was lifted.
    credit: {
      grade: credit.grade,
      records: credit.records.map((r) => ({
        id: r.id,
        kind: r.kind,
        points: r.points,
        reason: r.reason,
        startsOn: r.startsOn,
        endsOn: r.endsOn,
        status: r.status,
        liftNote: r.liftNote,
      })),
    },
  };
}

/** The company page's forms, one per intent: the button pressed picks the fields that are read. */
const companyFormSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion(
    "intent",
    [
      companyProfileSchema.extend({ intent: z.literal("profile") }),
      qualificationSchema.extend({ intent: z.literal("add_qualification") }),
      z.object({ intent: z.literal("remove_qualification"), id: formText }),
      projectManagerSchema.extend({ intent: z.literal("add_manager") }),
      z.object({ intent: z.literal("remove_manager"), id: formText }),
      memberSchema.extend({ intent: z.literal("add_member") }),
      z.object({ intent: z.literal("remove_member"), id: formText }),
      z.object({ intent: z.literal("apply"), townshipId: formText }),
      z.object({ intent: z.literal("withdraw"), id: formText }),
    ],
    { message: "errors.invalidInput" },
  ),
);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor"]);
  const companyId = auth.membership.org.id;
  const { parsed, uploads, errors } = await readCompanyForm(request, context, { countyId: auth.membership.org.countyId, owner: auth.user.id }, () => companyFormSchema);
  const typed = parsed.values;
  // The echo of the button pressed ties the errors to its section of the page.
  const intent = parsed.ok ? parsed.data.intent : (typed.intent ?? "");
  const fail = (errs: FormErrors, status = 400) => data({ intent, errors: errs, typed, done: null as string | null }, { status });
  // An unknown button is the whole form's error, not a field's.
  if (!parsed.ok) return fail(errors.intent ? { form: errors.intent } : errors);
  const f = parsed.data;
  const actor = actorOf(request, context, auth);
  const { clock } = context;
  try {
    switch (f.intent) {
      case "profile":
        if (Object.keys(errors).length) return fail(errors);
        await updateCompanyProfile(context.db, { clock, actor, companyId, fields: f });
        break;
      case "add_qualification":
        if (!uploads.has("qualFile")) errors.qualFile ??= "errors.company.fileMissing";
        if (Object.keys(errors).length) return fail(errors);
        await addQualification(context.db, { clock, actor, companyId, fields: f, file: uploads.get("qualFile") });
        break;
      case "remove_qualification":
        await removeQualification(context.db, { clock, actor, companyId, qualificationId: f.id });
        break;
      case "add_manager":
        if (Object.keys(errors).length) return fail(errors);
        await addProjectManager(context.db, { clock, actor, companyId, fields: f, file: uploads.get("pmFile") });
        break;
      case "remove_manager":
        await removeProjectManager(context.db, { clock, actor, companyId, managerId: f.id });
        break;
      case "add_member":
        if (Object.keys(errors).length) return fail(errors);
        await addCompanyMember(context.db, { clock, actor, companyId, fields: f });
        break;
      case "remove_member":
        await removeCompanyMember(context.db, { clock, actor, companyId, userId: f.id });
        break;
      case "apply":
        await applyToPool(context.db, { clock, actor, companyId, townshipId: f.townshipId });
        break;
      case "withdraw":
        await withdrawFromPool(context.db, { clock, actor, companyId, membershipId: f.id });
        break;
    }
  } catch (e) {
    const refused = refusal(e);
    return fail(refused.errors, refused.status);
  }
  return { intent, errors: {} as FormErrors, typed: {} as Record<string, string>, done: `company.done.${intent}` as string | null };
}

function FlagLabel({ flag }: { flag: "expired" | "expiringSoon" | "valid" }) {
  const { t } = useTranslation();
  if (flag === "valid") return <span className="tag">{t("company.flags.valid")}</span>;
  return <span className={flag === "expired" ? "tag bad" : "tag warn"}>{t(`company.flags.${flag}`, { days: EXPIRY_WARNING_DAYS })}</span>;
}

export default function CompanyPage() {
  const { t } = useTranslation();
  const { company, profile, qualifications, managers, applications, townships, members, credit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const errs = (intent: string) => (result?.intent === intent ? result.errors : undefined);
  const vals = (intent: string, fallback: Record<string, string> = {}) =>
    result?.intent === intent && result.errors && Object.keys(result.errors).length ? result.typed : fallback;
  const profileValues = vals("profile", profile ? { ...profile, address: company.address } : {});
  // A township's pool may be applied to when the company has no place in it, or its place may apply again (the pool membership's table).
  const applicable = townships.filter(
    (tw) => !applications.some((a) => a.township === tw.name && !allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, a.status, "contractor").includes("reapply")),
  );
  const expired = qualifications.filter((q) => q.flag === "expired");
  return (
    <div className="stack">
      <section className="card">
        <h1>{company.name}</h1>
        <p className="muted">
          {t("company.fields.code")}：<span className="mono">{company.code}</span>
        </p>
        {params.get("registered") && <Notice>{t("company.registered")}</Notice>}
        {result?.done && (
          <p className="notice ok" role="status">
            {t(result.done)}
          </p>
        )}
        {(errs("remove_qualification") || errs("remove_manager") || errs("withdraw")) && <FormError errors={result?.errors} />}
        {expired.length > 0 && (
          <p className="notice bad" role="alert">
            {t("company.expiredBlocks", { count: expired.length })}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="credit-h">
        <h2 id="credit-h">{t("credit.own.title")}</h2>
        <p>
          <CreditGrade grade={credit.grade} why />
        </p>
        <p className="hint">{t("credit.own.intro")}</p>
        {credit.records.length === 0 ? (
          <p className="muted">{t("credit.own.none")}</p>
        ) : (
          <ul data-testid="own-credit">
            {credit.records.map((r) => (
              <li key={r.id}>
                {t(`credit.kinds.${r.kind}`)}
                {r.points !== null && ` · ${t("credit.pointsValue", { points: r.points })}`} · {r.endsOn ? t("credit.period", { from: r.startsOn, to: r.endsOn }) : r.startsOn} ·{" "}
                <span className={r.status === "inEffect" ? "tag bad" : "tag"}>{t(`credit.statuses.${r.status}`)}</span>
                <br />
                <span className="prewrap">{r.reason}</span>
                {r.liftNote && <span className="muted"> · {t("credit.own.liftNote", { note: r.liftNote })}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card">
        <h2>{t("company.sections.pool")}</h2>
        {applications.length === 0 ? (
          <p className="muted">{t("company.noApplications")}</p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  <th>{t("pool.township")}</th>
                  <th>{t("pool.status")}</th>
                  <th>{t("pool.appliedAt")}</th>
                  <th>{t("pool.reason")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {applications.map((a) => (
                  <tr key={a.id}>
                    <td data-label={t("pool.township")}>{a.township}</td>
                    <td data-label={t("pool.status")}>
                      <span className={`tag state-${a.status}`}>{t(`pool.statuses.${a.status}`)}</span>
                    </td>
                    <td data-label={t("pool.appliedAt")}>{a.appliedAt}</td>
                    <td data-label={t("pool.reason")}>{a.reason ?? "—"}</td>
                    <td>
                      {allowedActionsOf(POOL_MEMBERSHIP_TRANSITIONS, a.status, "contractor").includes("withdraw") && (
                        <Form method="post" className="inline">
                          <input type="hidden" name="id" value={a.id} />
                          <button type="submit" name="intent" value="withdraw" className="secondary" disabled={busy}>
                            {t(a.status === "pending" ? "company.withdrawApplication" : "company.leavePool")}
                          </button>
                        </Form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {applicable.length > 0 && (
          <Form method="post" className="stack" noValidate>
            <FormError errors={errs("apply")} />
            <Field name="townshipId" label={t("company.applyTo")} errors={errs("apply")}>
              <div className="row">
                <select id="townshipId" name="townshipId" {...invalid(errs("apply"), "townshipId")}>
                  {applicable.map((tw) => (
                    <option key={tw.id} value={tw.id}>
                      {tw.name}
                    </option>
                  ))}
                </select>
                <button type="submit" name="intent" value="apply" disabled={busy}>
                  {t("company.apply")}
                </button>
              </div>
            </Field>
          </Form>
        )}
      </section>

      <section className="card">
        <h2>{t("company.sections.qualification")}</h2>
        {qualifications.length === 0 ? (
          <p className="notice bad">{t("company.noQualifications")}</p>
        ) : (
          <div className="table-wrap">
            <table className="cards">
              <thead>
                <tr>
                  <th>{t("company.fields.qualName")}</th>
                  <th>{t("company.fields.qualNumber")}</th>
                  <th>{t("company.fields.qualExpiry")}</th>
                  <th>{t("company.scan")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {qualifications.map((q) => (
                  <tr key={q.id} data-flag={q.flag}>
                    <td data-label={t("company.fields.qualName")}>{q.name}</td>
                    <td data-label={t("company.fields.qualNumber")} className="mono">
                      {q.certificateNumber}
                    </td>
                    <td data-label={t("company.fields.qualExpiry")}>
                      {q.expiresOn} <FlagLabel flag={q.flag} />
                    </td>
                    <td data-label={t("company.scan")}>
                      <a href={`/companies/${company.id}/files/${q.fileSha256}`}>{q.fileName}</a>
                    </td>
                    <td>
                      <RemoveButton id={q.id} intent="remove_qualification" busy={busy} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Form method="post" encType="multipart/form-data" noValidate data-resumable ref={resumableUploads}>
          <h3>{t("company.addQualification")}</h3>
          <FormError errors={errs("add_qualification")} />
          <QualificationFields values={vals("add_qualification")} errors={errs("add_qualification")} />
          <button type="submit" name="intent" value="add_qualification" disabled={busy}>
            {t("company.addQualification")}
          </button>
        </Form>
      </section>

      <section className="card">
        <h2>{t("company.sections.manager")}</h2>
        {managers.length === 0 ? (
          <p className="muted">{t("company.noManagers")}</p>
        ) : (
          <ul className="stack">
            {managers.map((m) => (
              <li key={m.id} className="row">
                <span>
                  {m.name} · <span className="mono">{m.certificateNumber}</span>
                  {m.fileSha256 && (
                    <>
                      {" · "}
                      <a href={`/companies/${company.id}/files/${m.fileSha256}`}>{m.fileName}</a>
                    </>
                  )}
                </span>
                <RemoveButton id={m.id} intent="remove_manager" busy={busy} />
              </li>
            ))}
          </ul>
        )}
        <Form method="post" encType="multipart/form-data" noValidate data-resumable ref={resumableUploads}>
          <h3>{t("company.addManager")}</h3>
          <FormError errors={errs("add_manager")} />
          <ManagerFields values={vals("add_manager")} errors={errs("add_manager")} />
          <button type="submit" name="intent" value="add_manager" disabled={busy}>
            {t("company.addManager")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="members-h">
        <h2 id="members-h">{t("company.sections.members")}</h2>
        <p className="hint">{t("company.membersIntro")}</p>
        <ul className="stack" data-testid="members">
          {members.map((m) => (
            <li key={m.userId} className="row">
              <span>
                {m.name} · <span className="mono">{m.phone}</span>
                {m.you && t("company.you")}
              </span>
              {!m.you && <RemoveButton id={m.userId} intent="remove_member" busy={busy} />}
            </li>
          ))}
        </ul>
        <Form method="post" encType="multipart/form-data" noValidate>
          <h3>{t("company.addMember")}</h3>
          <FormError errors={errs("add_member")} />
          <TextFields
            fields={[
              { name: "memberName", maxLength: 40 },
              { name: "memberPhone", inputMode: "tel", autoComplete: "off", maxLength: 20 },
              { name: "memberPassword", type: "password", autoComplete: "new-password", maxLength: 200 },
            ]}
            values={{ ...vals("add_member"), memberPassword: "" }}
            errors={errs("add_member")}
          />
          <button type="submit" name="intent" value="add_member" disabled={busy}>
            {t("company.addMember")}
          </button>
        </Form>
      </section>

      <section className="card">
        <h2>{t("company.sections.company")}</h2>
        <Form method="post" encType="multipart/form-data" noValidate>
          <FormError errors={errs("profile")} />
          <TextFields fields={PROFILE_FIELDS} values={profileValues} errors={errs("profile")} />
          <button type="submit" name="intent" value="profile" disabled={busy}>
            {t("company.saveProfile")}
          </button>
        </Form>
      </section>
    </div>
  );
}

/** One row's delete button: a tiny form so it works without JavaScript. */
function RemoveButton({ id, intent, busy }: { id: string; intent: string; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <Form method="post" className="inline">
      <input type="hidden" name="id" value={id} />
      <button type="submit" name="intent" value={intent} className="danger" disabled={busy}>
        {t("company.remove")}
      </button>
    </Form>
  );
}
