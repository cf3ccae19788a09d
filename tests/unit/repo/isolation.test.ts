// Every way this repository serves the page makes it cross-origin isolated, so the wasm
// backend may load its threaded binary: the Vite dev server (`npm start`, `npm run dev`), its
// preview, and scripts/serve-static.mjs send the same COOP and COEP headers.
import { describe, expect, it } from 'vitest';
import viteConfig, { CROSS_ORIGIN_ISOLATION_HEADERS } from '../../../vite.config';
import { CROSS_ORIGIN_ISOLATION_HEADERS as STATIC_HEADERS } from '../../../scripts/serve-static.mjs';

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('cross-origin isolation headers', () => {
  it('are COOP same-origin and COEP require-corp, the same for Vite and the static server', () => {
    expect(lower(CROSS_ORIGIN_ISOLATION_HEADERS)).toEqual({
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    expect(lower(CROSS_ORIGIN_ISOLATION_HEADERS)).toEqual({ ...STATIC_HEADERS });
  });

  it('are sent by the dev server and the preview server', () => {
    const config = viteConfig as { server?: { headers?: Record<string, string> }; preview?: { headers?: Record<string, string> } };
    expect(lower(config.server?.headers ?? {})).toMatchObject(lower(CROSS_ORIGIN_ISOLATION_HEADERS));
    expect(lower(config.preview?.headers ?? {})).toMatchObject(lower(CROSS_ORIGIN_ISOLATION_HEADERS));
  });
});

describe('the site policy as a header', () => {
  it('is sent by the preview server too (the built site, worker included, as a host that sends headers serves it)', async () => {
    const { SITE_CSP_HEADER } = await import('../../../scripts/contentSecurityPolicy.mjs');
    const config = viteConfig as { preview?: { headers?: Record<string, string> } };
    expect(lower(config.preview?.headers ?? {})['content-security-policy']).toBe(SITE_CSP_HEADER);
  });
});
