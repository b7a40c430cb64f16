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
