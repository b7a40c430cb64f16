/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015.
 * Pure: used by the server's validation and by the sign-up form in the browser.
 *
 *   position 1      registration authority code (登记管理部门代码)
 *   position 2      organisation type code (机构类别代码)
 *   positions 3–8   administrative division code (登记管理机关行政区划码), digits
 *   positions 9–17  organisation code (主体标识码)
 *   position 18     check character
 */

/** The 31 characters of GB 32100, in value order: digits, then letters without I, O, Z, S, V. */
export const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** Weights of positions 1–17 (3^(i) mod 31). */
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type CreditCodeResult =
  | { ok: true; code: string; registrationAuthority: string; orgType: string; divisionCode: string; orgCode: string }
  /** format: wrong length, a forbidden character, or a non-digit division code; check: well formed but the 18th character is wrong. */
  | { ok: false; reason: "format" | "check"; key: "errors.company.codeFormat" | "errors.company.codeCheck"; code: string };

/** Trim, drop inner spaces and hyphens people type from paper certificates, upper-case, turn full-width into ASCII. */
export function normaliseCreditCode(input: string): string {
  return input
    .trim()
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, "")
    .toUpperCase();
}

/** The check character for the first 17 characters, or null when they are not well formed. */
export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * CREDIT_CODE_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return CREDIT_CODE_ALPHABET[c === 31 ? 0 : c];
}

const FORMAT = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function checkCreditCode(input: string): CreditCodeResult {
  const code = normaliseCreditCode(input);
  if (!FORMAT.test(code)) return { ok: false, reason: "format", key: "errors.company.codeFormat", code };
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) return { ok: false, reason: "check", key: "errors.company.codeCheck", code };
  return { ok: true, code, registrationAuthority: code[0], orgType: code[1], divisionCode: code.slice(2, 8), orgCode: code.slice(8, 17) };
}
