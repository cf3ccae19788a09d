// Types of scripts/start.mjs, for the TypeScript tests.
export interface Opener {
  command: string;
  args: string[];
}
export function canOpenBrowser(where: { platform: string; env: Record<string, string | undefined> }): boolean;
export function openerFor(platform: string): Opener;
export function openBrowser(url: string, opener?: Opener): Promise<boolean>;
export function parseStartArgs(args: string[]): { port: number; host: string | undefined; open: boolean };
export function asksForPage(headers: Record<string, string | string[] | undefined>): boolean;
export function devContentSecurityPolicy(): { name: string; configureServer(server: unknown): void };
