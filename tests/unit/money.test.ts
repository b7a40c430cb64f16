import { describe, expect, it } from "vitest";
import { fenToYuanInput, formatFen, parseHundredths, parseYuanToFen } from "~/utils/money";

describe("money in fen", () => {
  it("formats fen as yuan with thousands separators", () => {
    expect(formatFen(123456789)).toBe("¥1,234,567.89");
    expect(formatFen(5)).toBe("¥0.05");
    expect(formatFen(400 * 10_000 * 100)).toBe("¥4,000,000.00");
    expect(formatFen(-1999)).toBe("-¥19.99");
  });

  it("parses what people type into exact fen", () => {
    expect(parseYuanToFen("1,234.5")).toBe(123450);
    expect(parseYuanToFen("¥100")).toBe(10000);
    expect(parseYuanToFen("１２３．４５")).toBe(12345);
    expect(parseYuanToFen("99.99元")).toBe(9999);
    // 0.1 + 0.2 style float errors cannot happen: digits are combined as integers.
    expect(parseYuanToFen("0.29")).toBe(29);
  });

  it("refuses what is not an amount", () => {
    for (const bad of ["", "abc", "1.234", "-5", "1e6", "12,34.5.6", "99999999999999"]) expect(parseYuanToFen(bad)).toBeNull();
  });

  it("reads percentages as basis points", () => {
    expect(parseHundredths("2%")).toBe(200);
    expect(parseHundredths("96")).toBe(9600);
  });

  it("round-trips through the input field form", () => {
    for (const fen of [0, 1, 10, 99, 100, 123456, 987654321]) expect(parseYuanToFen(fenToYuanInput(fen))).toBe(fen);
  });
});
