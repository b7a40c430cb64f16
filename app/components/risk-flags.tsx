import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { FlagView } from "~/models/risk.server";

/** Severity as words and as style (border, weight) — never by colour alone. */
export function SeverityTag({ severity }: { severity: FlagView["severity"] }) {
  const { t } = useTranslation();
  const cls = severity === "high" ? "tag bad" : severity === "medium" ? "tag warn" : "tag";
  return (
    <span className={cls} data-severity={severity}>
      {severity === "high" ? <strong>{t("risk.severity.high")}</strong> : t(`risk.severity.${severity}`)}
    </span>
  );
}

/** Reviewed or not, in words. */
export function ReviewState({ review }: { review: FlagView["review"] }) {
  const { t } = useTranslation();
  return review ? <span className="tag">{t("risk.reviewed")}</span> : <span className="tag warn">{t("risk.unreviewed")}</span>;
}

/** Each piece of evidence in a sentence, with links to the records behind it. */
export function EvidenceList({ evidence }: { evidence: FlagView["evidence"] }) {
  const { t } = useTranslation();
  const sep = t("risk.listSeparator");
  return (
    <ol className="plain-ol" data-testid="flag-evidence">
      {evidence.map((e, i) => (
        <li key={i} data-testid="evidence-item">
          {t(e.labelKey, Object.fromEntries(Object.entries(e.values).map(([k, v]) => [k, Array.isArray(v) ? v.join(sep) : v])))}
          {e.links.map((l) => (
            <span key={l.href}>
              {" · "}
              <Link to={l.href} data-testid="evidence-link">
                {t(l.labelKey)}
              </Link>
            </span>
          ))}
        </li>
      ))}
    </ol>
  );
}
