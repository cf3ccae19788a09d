// Where the engine may load datasets from (issue 22 item 9): init's dataBaseUrl must lie on the
// page's own origin, the origin of the worker's location. A script on the page could otherwise
// point the worker at files anywhere (a data: URL, another site) and have it train on them.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, tinyLoader, tinySettings, type Harness } from '../../support/engineHarness';
import { checkDataBaseUrl } from '../../../src/engine/page/dataOrigin';

const WORKER = 'https://site.example/is/assets/worker-abc.js';

describe('checkDataBaseUrl', () => {
  it('accepts the page origin’s folders, absolute or relative to the worker', () => {
    expect(checkDataBaseUrl('https://site.example/is/data/', WORKER)).toEqual({ url: 'https://site.example/is/data/' });
    expect(checkDataBaseUrl('../data/', WORKER)).toEqual({ url: 'https://site.example/is/data/' });
    expect(checkDataBaseUrl('/data/', WORKER)).toEqual({ url: 'https://site.example/data/' });
  });

  it('refuses another origin, a data: or blob: URL and text that is no URL, naming the origin allowed', () => {
    for (const url of ['https://evil.example/data/', 'http://site.example/is/data/', 'https://site.example:8443/data/', 'data:application/json,{}', 'blob:https://site.example/0d1e', 'javascript:alert(1)']) {
      const r = checkDataBaseUrl(url, WORKER);
      expect(r, url).toHaveProperty('error');
      expect((r as { error: string }).error).toContain('must be on this page’s origin (https://site.example)');
    }
    const long = checkDataBaseUrl(`https://evil.example/${'x'.repeat(100_000)}`, WORKER) as { error: string };
    expect(long.error.length).toBeLessThan(300);
    expect((checkDataBaseUrl('http://[::1', WORKER) as { error: string }).error).toMatch(/^init: dataBaseUrl "http:\/\/\[::1" is not a URL/);
  });
});

describe('the engine', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  it('refuses an init whose dataBaseUrl is on another origin, before loading anything', async () => {
    let loads = 0;
    const loader = tinyLoader();
    h = harness({ pageUrl: WORKER, loadData: (s, p) => (loads++, loader!(s, p)) });
    await h.engine.handle({ type: 'init', settings: tinySettings(), dataBaseUrl: 'https://evil.example/data/' });
    expect(h.of('error').map((e) => e.message)).toEqual([
      'init: dataBaseUrl "https://evil.example/data/" must be on this page’s origin (https://site.example); leave it out to load the site’s own data/ folder.',
    ]);
    expect(loads).toBe(0);
    expect(h.status().state).toBe('idle');
    // The same origin loads.
    await h.engine.handle({ type: 'init', settings: tinySettings(), dataBaseUrl: 'https://site.example/is/data/' });
    expect(h.status().state).toBe('ready');
    expect(loads).toBe(1);
  });
});
