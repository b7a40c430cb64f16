import { createContext, useContext } from "react";

/**
 * The CSP nonce of this response (app/utils/security-headers.server.ts),
 * provided by entry.server.tsx. In the browser there is none: the scripts
 * have run by then, and browsers hide a nonce from the page anyway.
 */
export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
