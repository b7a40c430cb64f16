/** The cookie that keeps a visitor's text size (大字模式); a signed-in user's choice lives with the account. */
export const TEXT_SIZE_COOKIE = "cyz_text";
