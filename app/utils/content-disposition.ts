/**
 * `inline; filename*=UTF-8''…` for a file name that may hold anything a
 * bidder typed (Chinese, quotes, brackets): RFC 5987 allows only attr-chars
 * unescaped, and encodeURIComponent leaves ' ( ) * as they are.
 */
export function inlineDisposition(fileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename*=UTF-8''${encoded}`;
}

/** The same for a download the browser should save rather than show. */
export function attachmentDisposition(fileName: string): string {
  return inlineDisposition(fileName).replace(/^inline/, "attachment");
}
