// Types of scripts/contentSecurityPolicy.mjs.
export const SITE_CSP_HEADER: string;
export function parsePolicy(policy: string): Record<string, string[]>;
