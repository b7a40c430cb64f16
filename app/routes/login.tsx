import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/utils/i18n";
import { z } from "~/utils/zod.server";
import { PasskeyLoginButton } from "~/components/passkey-login";
import { FieldError, FormError, Notice } from "~/components/forms";
import { appendAudit } from "~/models/audit.server";
import { DEMO_PASSWORD, listDemoAccounts, listDemoProjects } from "~/demo/demo.server";
import { PUBLIC_STATES } from "~/models/lifecycle";
import { KNOWN_DEVICE_COOKIE, knownDeviceFor, rememberDevice } from "~/models/known-device.server";
import { countAttempt, phoneAccount, settleAttempt } from "~/models/login-throttle.server";
import { startSession } from "~/models/session.server";
import { authenticateWithPassword } from "~/models/user.server";
import { actorOf, getAuth, knownDeviceCookie, readCookie, safeRedirect, sessionCookie } from "~/utils/auth.server";
import { parseForm, type FormErrors } from "~/utils/forms";
import { maskPhone } from "~/utils/phone";
import { phoneField } from "~/utils/phone-field";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("titles.login"));
export const handle = { i18n: ["account", "errors"] };

export const loginSchema = /* @__PURE__ */ z.lazy(() =>
  z.object({
    phone: phoneField,
    password: z.string({ message: "errors.passwordRequired" }).min(1, "errors.passwordRequired").max(200, "errors.loginFailed"),
    redirectTo: z.string().optional(),
  }),
);

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (await getAuth(request, context)) throw redirect("/dashboard");
  const demo = await listDemoAccounts(context.db);
  // Only what the public may see: a project's public page exists from its notice on.
  const projects = (await listDemoProjects(context.db)).map((p) => ({
    stage: p.stage,
    name: p.name,
    village: p.village,
    notice: p.tenderId && PUBLIC_STATES.includes(p.stage) ? `/notices/${p.tenderId}` : null,
  }));
  // Only a path on this site goes back into the form; anything else is dropped here, not echoed.
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "");
  return { demo, demoPassword: demo.length ? DEMO_PASSWORD : null, projects, redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, loginSchema);
  if (!form.ok) return data({ errors: form.errors, phone: form.values.phone ?? "" }, { status: 400 });
  const { phone, password, redirectTo } = form.data;
  const actor = actorOf(request, context, null);
  // A device this account signed in from before is counted on its own: others' wrong passwords never pause it.
  const presented = readCookie(request, KNOWN_DEVICE_COOKIE);
  const device = await knownDeviceFor(context.db, context.clock, presented, phone);
  // Counted before the password is checked (as a failure until it proves right): refused attempts never reach the check.
  const counted = await countAttempt(context.db, context.clock, { ip: context.ip, account: phoneAccount(phone), kind: "password", device });
  if (counted.refusal) return data({ errors: { form: counted.refusal } as FormErrors, phone }, { status: 429 });
  const user = await authenticateWithPassword(context.db, phone, password);
  const { locked } = await settleAttempt(context.db, { clock: context.clock, actor, ticket: counted.ticket, outcome: { failed: !user } });
  if (!user) {
    await appendAudit(context.db, context.clock, actor, {
      action: "auth.login_failed",
      objectType: "user",
      detail: { phone: maskPhone(phone), method: "password" },
    });
    return data({ errors: { form: locked ? "errors.auth.locked" : "errors.loginFailed" } as FormErrors, phone }, { status: locked ? 429 : 401 });
  }
  const { token } = await startSession(context.db, context.clock, actor, {
    userId: user.id,
    method: "password",
    days: context.env.SESSION_DAYS,
  });
  const headers = new Headers([["Set-Cookie", sessionCookie(context, token, context.env.SESSION_DAYS)]]);
  headers.append("Set-Cookie", knownDeviceCookie(context, await rememberDevice(context.db, { clock: context.clock, actor, userId: user.id, presented })));
  throw redirect(safeRedirect(redirectTo), { headers });
}

export default function Login() {
  const { t } = useTranslation();
  const { demo, demoPassword, projects, redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const errors = result?.errors;
  return (
    <div className="stack">
      <section className="card narrow">
        <h1>{t("login.title")}</h1>
        {params.get("reset") === "1" && <Notice>{t("reset.done")}</Notice>}
        <Form method="post" noValidate className="stack">
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <FormError errors={errors} />
          <label htmlFor="phone">{t("login.phone")}</label>
          <input
            id="phone"
            name="phone"
            type="tel"
            inputMode="tel"
            autoComplete="username webauthn"
            defaultValue={result?.phone ?? ""}
            aria-invalid={errors?.phone ? true : undefined}
            aria-describedby={errors?.phone ? "phone-error" : undefined}
            placeholder="138 0000 0000"
          />
          <FieldError id="phone-error" errors={errors} name="phone" />
          <label htmlFor="password">{t("login.password")}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            aria-invalid={errors?.password ? true : undefined}
            aria-describedby={errors?.password ? "password-error" : undefined}
          />
          <FieldError id="password-error" errors={errors} name="password" />
          <button type="submit" className="primary" disabled={busy}>
            {t("login.submit")}
          </button>
        </Form>
        <div className="divider">{t("login.or")}</div>
        <PasskeyLoginButton redirectTo={redirectTo} />
        <p>
          <a href="/forgot-password">{t("login.forgot")}</a>
        </p>
        <p>
          <a href="/register/company">{t("login.registerCompany")}</a>
        </p>
      </section>
      {demo.length > 0 && (
        <section className="card">
          <h2>{t("login.demoTitle")}</h2>
          <p>{t("login.demoIntro", { password: demoPassword })}</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("login.demoRole")}</th>
                  <th>{t("login.demoOrg")}</th>
                  <th>{t("login.phone")}</th>
                </tr>
              </thead>
              <tbody>
                {demo.map((a) => (
                  <tr key={a.phone}>
                    <td>{t(`roles.${a.role}`)}</td>
                    <td>{a.org}</td>
                    <td>
                      <code>{a.phone}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {projects.length > 0 && (
        <section className="card">
          <h2>{t("login.demoProjectsTitle")}</h2>
          <p>{t("login.demoProjectsIntro")}</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t("login.demoStage")}</th>
                  <th>{t("login.demoProject")}</th>
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={`${p.stage}-${p.name}`}>
                    <td>{t(`project.states.${p.stage}`)}</td>
                    <td>
                      {p.notice ? <a href={p.notice}>{p.name}</a> : p.name}
                      <br />
                      <small>{p.village}</small>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
