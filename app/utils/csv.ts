/** CSV for spreadsheets (Excel, WPS): the one way the app writes a CSV file. */

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break,
 * quotes doubled. Text starting with = + - @ (or a tab or carriage return) is
 * prefixed with an apostrophe so a spreadsheet shows it instead of running it
 * as a formula (CSV injection). Plain numbers we wrote ourselves ("-12.50")
 * are left as numbers.
 */
export function csvCell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? "" : String(v);
  const guarded = /^-?\d+(\.\d+)?$/.test(s) ? s : /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Rows → CSV text: CRLF line ends, a UTF-8 byte-order mark so Excel reads the Chinese correctly. */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
