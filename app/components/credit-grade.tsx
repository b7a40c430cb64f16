import { useTranslation } from "react-i18next";
import type { GradeResult } from "~/models/credit-rules";

/**
 * A contractor's credit grade (信用等级): the colour always comes with its
 * words, so nobody has to tell colours apart; `why` adds what sets it.
 */
export function CreditGrade({ grade, why = false }: { grade: GradeResult; why?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <span className={`tag grade grade-${grade.grade}`} data-testid="credit-grade" data-grade={grade.grade}>
        {t("credit.gradeShort", { grade: t(`credit.grades.${grade.grade}`) })}
      </span>
      {why && <span className="muted"> {t(`credit.basis.${grade.basis}`, { points: grade.points, until: grade.until ?? "" })}</span>}
    </>
  );
}
