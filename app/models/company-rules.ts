/**
 * What a company types when it registers, and how its certificates are
 * flagged. Pure (no database): the forms and the server share it.
 */
import { z } from "zod";
import { checkCreditCode } from "~/utils/credit-code";
import { normalisePhone } from "~/utils/phone";
import { addDays } from "~/utils/time";

/** Certificates expiring within this many days are flagged on the company page and in the pool. */
export const EXPIRY_WARNING_DAYS = 30;

const text = (min: number, max: number, key: string) => z.string({ message: key }).trim().min(min, key).max(max, key);

export const creditCode = z.string({ message: "errors.company.codeFormat" }).transform((v, ctx) => {
  const r = checkCreditCode(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.key });
    return z.NEVER;
  }
  return r.code;
});

const phone = (key: string) =>
  z.string({ message: key }).transform((v, ctx) => {
    const p = normalisePhone(v);
    if (!p) {
      ctx.addIssue({ code: "custom", message: key });
      return z.NEVER;
    }
    return p;
  });

/** A real calendar day, YYYY-MM-DD (2026-02-30 is refused). */
export const calendarDay = (key: string) =>
  z
    .string({ message: key })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, key)
    .refine((d) => {
      const t = new Date(`${d}T00:00:00Z`);
      return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d && d >= "2000-01-01" && d <= "2100-12-31";
    }, key);

export const companyProfileSchema = z.object({
  legalRepresentative: text(2, 40, "errors.company.legalRepresentative"),
  address: text(4, 200, "errors.company.address"),
  contactName: text(2, 40, "errors.company.contactName"),
  contactPhone: phone("errors.company.contactPhone"),
  bankName: text(4, 100, "errors.company.bankName"),
  bankAccount: z
    .string({ message: "errors.company.bankAccount" })
    .transform((v) => v.replace(/[\s-]/g, ""))
    .pipe(z.string().regex(/^\d{8,30}$/, "errors.company.bankAccount")),
  bankAccountName: text(2, 100, "errors.company.bankAccountName"),
});
export type CompanyProfileInput = z.output<typeof companyProfileSchema>;

/** Field names are the form's, so an error lands on the right input in every form that adds a certificate. */
export const qualificationSchema = z.object({
  qualName: text(4, 60, "errors.company.qualName"),
  qualNumber: text(4, 60, "errors.company.qualNumber"),
  qualExpiry: calendarDay("errors.company.qualExpiry"),
});
export type QualificationInput = z.output<typeof qualificationSchema>;

export const projectManagerSchema = z.object({
  pmName: text(2, 40, "errors.company.pmName"),
  pmCertificate: text(4, 60, "errors.company.pmCertificate"),
});
export type ProjectManagerInput = z.output<typeof projectManagerSchema>;

/** The sign-up form: the company, its first contractor user. */
export const companySignUpSchema = companyProfileSchema.extend({
  name: text(4, 100, "errors.company.name"),
  code: creditCode,
  countyId: z.string({ message: "errors.company.county" }).uuid("errors.company.county"),
  userName: text(2, 40, "errors.company.userName"),
  phone: phone("errors.phoneInvalid"),
  password: z.string({ message: "errors.passwordTooShort" }).min(8, "errors.passwordTooShort").max(200, "errors.passwordTooShort"),
});
export type CompanySignUpInput = z.output<typeof companySignUpSchema>;

/** A colleague added to the company's account (so a sealed bid can be opened by any of several members). */
export const memberSchema = z.object({
  memberName: text(2, 40, "errors.company.userName"),
  memberPhone: phone("errors.phoneInvalid"),
  memberPassword: z.string({ message: "errors.passwordTooShort" }).min(8, "errors.passwordTooShort").max(200, "errors.passwordTooShort"),
});

export const poolReasonSchema = text(4, 2000, "errors.company.reasonRequired");

export type ExpiryFlag = "expired" | "expiringSoon" | "valid";

/** A certificate is valid through its expiry day (Beijing calendar days). */
export function expiryFlag(expiresOn: string, today: string): ExpiryFlag {
  if (expiresOn < today) return "expired";
  if (expiresOn <= addDays(today, EXPIRY_WARNING_DAYS)) return "expiringSoon";
  return "valid";
}
