import { useTranslation } from "react-i18next";

/**
 * Shown on paper only: the QR code and address of the online page, so a printed notice on the
 * village board leads to the live record and its signature check (styles: .print-qr in app.css).
 */
export function PrintQr({ qr }: { qr: { url: string; svg: string } }) {
  const { t } = useTranslation();
  return (
    <aside className="print-qr print-only" data-testid="print-qr">
      {/* The SVG is generated on the server from the page's own address (app/utils/qr.server.ts). */}
      <div className="qr" role="img" aria-label={t("print.qrLabel")} dangerouslySetInnerHTML={{ __html: qr.svg }} />
      <div>
        <p>
          <strong>{t("print.scan")}</strong>
        </p>
        <p className="hash">{qr.url}</p>
        <p>{t("print.verify")}</p>
      </div>
    </aside>
  );
}
