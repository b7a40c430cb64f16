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
