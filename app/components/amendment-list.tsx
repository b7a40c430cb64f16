import { useTranslation } from "react-i18next";
import type { TenderAmendment } from "~/utils/db.server";
import { formatBeijing } from "~/utils/time";

/** What a page needs of an amendment, for the public notice and the project page alike. */
export function amendmentView(a: TenderAmendment) {
  return {
    seq: a.seq,
    title: a.title,
    body: a.body,
    at: formatBeijing(a.createdAt),
    before: formatBeijing(a.deadlineBefore),
    after: formatBeijing(a.deadlineAfter),
    autoExtended: a.autoExtended,
    moved: a.deadlineAfter.getTime() !== a.deadlineBefore.getTime(),
  };
}
export type AmendmentView = ReturnType<typeof amendmentView>;

export function AmendmentList({ items }: { items: AmendmentView[] }) {
  const { t } = useTranslation();
  return (
    <ol className="plain-ol">
      {items.map((a) => (
        <li key={a.seq}>
          <strong>
            {t("amend.numbered", { seq: a.seq })} {a.title}
          </strong>{" "}
          <span className="muted">{a.at}</span>
          <p className="prewrap">{a.body}</p>
          {a.moved && <p className="notice warn">{t(a.autoExtended ? "amend.autoExtended" : "amend.moved", { before: a.before, after: a.after })}</p>}
        </li>
      ))}
    </ol>
  );
}
