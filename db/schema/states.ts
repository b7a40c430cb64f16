/**
 * Each lifecycle's state list, written once. The pgEnum is made from it
 * (`schema.projectState.enumValues` is this very array) and the transition
 * tables in app/models/lifecycle.ts read it from here: that module is loaded
 * in the browser too (it drives which buttons a page shows), so it cannot
 * import the tables themselves. This file imports nothing.
 */
export const PROJECT_STATE_VALUES = [
  "draft", // 草稿: the committee is preparing it
  "submitted", // 待审核: awaiting the township's approval (备案)
  "returned", // 已退回: returned with reasons, editable again
  "approved", // 已备案: approved, tender notice not yet published
  "published", // 招标中: notice public, bids until the deadline
  "opening", // 开标中: deadline passed, remote opening under way
  "evaluating", // 评标中
  "publicity", // 公示中
  "awarded", // 已定标
  "completed", // 已完成
  "failed", // 流标
  "cancel_requested", // 撤销待批
  "cancelled", // 已撤销
] as const;

// ── The remote opening (不见面开标), the bids at it, the bids ────────────

/** The opening of a tender (openings.state), one row per tender. */
export const OPENING_STATE_VALUES = [
  "waiting", // 待开标: the deadline has passed, the host has not started
  "decrypting", // 解密中: bids counted, each bidder decrypts its own in the window
  "reading", // 唱标中: the valid bids read out, the bidders confirm or object
  "closed", // 开标结束: the bids go to the evaluation
  "failed", // 流标: too few bids, or too few opened; the reason recorded
] as const;

/** A bid at the opening (bid_openings.status), one row per bid from the start of decryption. */
export const BID_OPENING_STATUS_VALUES = [
  "waiting", // 待解密: sealed at the deadline, not decrypted yet
  "decrypted", // 已解密: opened and recorded as submitted (the panel decides validity)
  "rejected", // 已拒绝: written by earlier versions that judged validity at the opening; read like decrypted, never written now
  "revoked", // 视为撤销: not decrypted when the window ended, through the bidder's fault
  "platform_withdrawn", // 平台原因·视为撤回: not decrypted after a platform incident the host answered with an extension
  "withdrawn", // 已撤回: withdrawn before the deadline; at the opening only to be named
] as const;

/** A company's bid on a tender (bids.status), one row per company and tender. */
export const BID_STATUS_VALUES = [
  "sealed", // 已密封: a sealed version in force
  "withdrawn", // 已撤回: withdrawn before the deadline (it may be sealed again until then)
] as const;

// ── Evaluation, award, complaint, objection, panel member, pool membership (issue 19) ──

/** An evaluation's steps (evaluations.state); scoring, review and explaining are taken by comprehensive scoring only. */
export const EVALUATION_STATE_VALUES = [
  "checking", // 资格审查: each member checks every opened bid
  "secret", // 待揭示: the qualified list is locked, waiting for the supervisor's draw secret
  "scoring", // 评分: each member scores each qualified bid (comprehensive scoring)
  "review", // 复核: each member may flag others' scores as abnormal
  "explaining", // 说明: a flagged score is explained or replaced by the others' average
  "opinions", // 表态: the result is computed; each member agrees or dissents
  "signing", // 签字: the report is signed member by member
  "done", // 结束: the report is complete, or too few bids qualified (流标)
] as const;

/** An award (awards.state): the committee's choice, the supervisor's approval where 评定分离 applies, the signed notice. */
export const AWARD_STATE_VALUES = [
  "pending_approval", // 待审核: a candidate other than the first, waiting for the township supervisor
  "rejected", // 已驳回: the supervisor rejected the choice, or an upheld complaint withdrew the award; the committee may decide again
  "approved", // 已确定: the winner is settled, the notice may be signed
  "signed", // 已签发: the award notice (中标通知书) is signed
] as const;

/** A complaint (complaints.state) to the township supervisor. */
export const COMPLAINT_STATE_VALUES = [
  "filed", // 已提交: waiting to be accepted or rejected
  "rejected", // 不予受理: rejected with reasons
  "accepted", // 已受理: the decision deadline runs
  "upheld", // 投诉成立: the result falls
  "dismissed", // 驳回投诉: the result stands
] as const;

/** An objection (objections.state) a bidder files during publicity. */
export const OBJECTION_STATE_VALUES = [
  "open", // 待答复: the committee must answer by its deadline; the award waits
  "answered", // 已答复
] as const;

/** A drawn expert's seat on a panel (panel_members.status). */
export const PANEL_MEMBER_STATUS_VALUES = [
  "assigned", // 待声明: drawn (member or reserve), no declaration yet
  "accepted", // 已接受: declared no conflict of interest
  "recused", // 已回避: declared a conflict, with a reason; the first reserve steps in
  "unused", // 未启用: a reserve who was not needed (no transition leads here yet)
] as const;

/** A company's place in a township's candidate pool (pool_memberships.status). */
export const POOL_MEMBERSHIP_STATUS_VALUES = [
  "pending", // 待审核: applied, waiting for the township supervisor
  "admitted", // 已入库
  "rejected", // 未通过: rejected with a reason; the company may apply again
  "withdrawn", // 已退出: the company took back its application or left the pool; it may apply again
] as const;
