import { describe, expect, it } from "vitest";
import { checkCreditCode, CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS, creditCodeCheckChar, normaliseCreditCode } from "~/utils/credit-code";

/**
 * Codes as printed on business licences and published in the national
 * enterprise credit information system. Each was checked by hand below or
 * by the independent reference implementation in this file.
 */
const PUBLISHED = [
  "91350100M000100Y43", // the worked example used with GB 32100-2015
  "91110000802100433B", // 北京百度网讯科技有限公司
  "914403001922038216", // 华为技术有限公司
  "91440300708461136T", // 深圳市腾讯计算机系统有限公司
  "91330100716105852F", // 阿里巴巴（中国）有限公司
];

/** A second, deliberately naive implementation straight from the standard's text, to cross-check the module. */
function referenceCheckChar(first17: string): string {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * (3 ** i % 31);
  const c = 31 - (sum % 31);
  return chars[c === 31 ? 0 : c];
}

describe("unified social credit code (GB 32100)", () => {
  it("uses the standard's alphabet and weights", () => {
    expect(CREDIT_CODE_ALPHABET).toHaveLength(31);
    for (const letter of "IOZSV") expect(CREDIT_CODE_ALPHABET).not.toContain(letter);
    // The weights are 3^i mod 31.
    expect([...CREDIT_CODE_WEIGHTS]).toEqual(Array.from({ length: 17 }, (_, i) => 3 ** i % 31));
  });

  it("accepts published codes", () => {
    for (const code of PUBLISHED) {
      const r = checkCreditCode(code);
      expect(r.ok, code).toBe(true);
      expect(referenceCheckChar(code.slice(0, 17)), code).toBe(code[17]);
    }
  });

  it("computes the check character of the standard's example by hand", () => {
    // 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 → values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4
    // Σ value×weight = 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640
    // 1640 mod 31 = 28 → 31 − 28 = 3 → check character "3"
    expect(creditCodeCheckChar("91350100M000100Y4")).toBe("3");
    // A sum divisible by 31 gives 31 → "0": seventeen zeros sum to 0.
    expect(creditCodeCheckChar("00000000000000000")).toBe("0");
    // 30 → "Y", the last character of the alphabet: "1" at position 1 (weight 1) gives Σ = 1.
    expect(creditCodeCheckChar("10000000000000000")).toBe("Y");
  });

  it("agrees with the reference on many generated codes", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      let first17 = "";
      for (let i = 0; i < 17; i++) first17 += i >= 2 && i <= 7 ? String(next() % 10) : CREDIT_CODE_ALPHABET[next() % 31];
      const code = first17 + referenceCheckChar(first17);
      expect(checkCreditCode(code).ok, code).toBe(true);
    }
  });

  it("refuses a wrong check character, with the check reason", () => {
    for (const code of PUBLISHED) {
      const wrong = code.slice(0, 17) + (code[17] === "0" ? "1" : "0");
      const r = checkCreditCode(wrong);
      expect(r).toMatchObject({ ok: false, reason: "check", key: "errors.company.codeCheck" });
    }
    // A single mistyped digit in the body is caught too.
    expect(checkCreditCode("91110000802100434B")).toMatchObject({ ok: false, reason: "check" });
  });

  it("normalises case, spaces and full-width characters", () => {
    expect(normaliseCreditCode("  91110000802100433b ")).toBe("91110000802100433B");
    expect(checkCreditCode(" 91350100m000100y43\n")).toMatchObject({ ok: true, code: "91350100M000100Y43" });
    expect(checkCreditCode("9111 0000 8021 0043 3B")).toMatchObject({ ok: true, code: "91110000802100433B" });
    expect(checkCreditCode("９１１１００００８０２１００４３３Ｂ")).toMatchObject({ ok: true });
  });

  it("splits a valid code into its parts", () => {
    expect(checkCreditCode("91330100716105852F")).toMatchObject({ registrationAuthority: "9", orgType: "1", divisionCode: "330100", orgCode: "716105852" });
  });

  it("refuses malformed codes with the format reason", () => {
    const bad = [
      "",
      "9111000080210043", // too short
      "91110000802100433BB", // too long
      "91110000802100433I", // I is not in the alphabet
      "9111000080210O433B", // O
      "91110000802100Z33B", // Z
      "91110000S02100433B", // S
      "9111000080210V433B", // V
      "911A0000802100433B", // division code must be digits
      "91110000802100433*",
      "O1110000802100433B", // forbidden letter in the first two positions
    ];
    for (const code of bad) expect(checkCreditCode(code), code).toMatchObject({ ok: false, reason: "format", key: "errors.company.codeFormat" });
  });
});
