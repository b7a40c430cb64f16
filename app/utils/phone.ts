/** Mainland China mobile numbers: 11 digits starting 13–19; a +86 / 0086 prefix, spaces and dashes are accepted. */
export function normalisePhone(input: string): string | null {
  const digits = input
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, "")
    .replace(/^(\+86|0086)/, "");
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

/** 13800001234 → 138****1234, for lists that should not expose whole numbers. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
