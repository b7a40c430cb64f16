// Tender facts shared by the server and the browser (no server-only imports here).

/** Evaluation methods a tender may name (DOMAIN.md "Evaluation"). */
export const EVALUATION_METHODS = ["lowest_price", "reasonable_low", "comprehensive", "random_draw"] as const;
export type EvaluationMethod = (typeof EVALUATION_METHODS)[number];
