/** Money is integer fen (分) everywhere; these are the only two conversions to and from text. */

const grouping = new Intl.NumberFormat("en-US", { useGrouping: true, maximumFractionDigits: 0 });

/** 123456789 → "¥1,234,567.89" */
export function formatFen(fen: number | bigint): string {
  const big = BigInt(fen);
  const negative = big < 0n;
  const abs = negative ? -big : big;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}¥${grouping.format(yuan)}.${cents}`;
}

/** Yuan as typed by a person ("1,234.5", "１２３４", "¥100") → fen, or null if it is not an amount. */
export function parseYuanToFen(input: string): number | null {
  return parseHundredths(input);
}

/** A decimal with at most two places → whole hundredths (yuan → fen, percent → basis points). */
export function parseHundredths(input: string): number | null {
  const normalised = input
    .trim()
    .replace(/[０-９．，]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/^[¥￥]\s*/, "")
    .replace(/,/g, "")
    .replace(/\s*[元%％]$/, "");
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(normalised);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** Fen → the plain yuan string an input field shows ("1234.50"). */
export function fenToYuanInput(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(Math.abs(fen % 100)).padStart(2, "0")}`;
}

/** 123456789 → "¥123.46万" (zh-CN) or "¥1.23M" (en): for chart labels only; tables show formatFen's exact amount. */
export function formatFenCompact(fen: number, locale: string): string {
  return `¥${new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 2 }).format(fen / 100)}`;
}
