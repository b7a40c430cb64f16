import QRCode from "qrcode";
import type { AppLoadContext } from "@remix-run/node";

/**
 * A QR code (inline SVG, no script) for the printed copy of a public page: it opens the page on
 * the platform's public origin — never the request's Host header, which a visitor controls.
 */
export async function publicQr(context: Pick<AppLoadContext, "env">, path: string): Promise<{ url: string; svg: string }> {
  const url = new URL(path, context.env.PUBLIC_ORIGIN).toString();
  // Error correction M survives a creased notice-board copy; a 4-module quiet zone as the standard asks.
  const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
  return { url, svg };
}
