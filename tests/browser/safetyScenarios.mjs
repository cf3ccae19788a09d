// Browser scenarios of what the page keeps to: its own origin (no request leaves it), its input
// (a hostile link changes nothing), damaged data (named, and the page stays usable) and its
// Content-Security-Policy (training and every export work under it).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  TINY,
  check,
  click,
  describe,
  points,
  poll,
  query,
  setSetting,
  settingValues,
  sleep,
  steps,
  text,
  visible,
  waitReady,
} from './lib.mjs';
import { FIRST_STEP_TIMEOUT, foreignRequests, download } from './pageHelpers.mjs';

export const safetyScenarios = [
  {
    id: 1,
    name: 'page loads with no console errors and no request leaving the origin',
    timeout: 100_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query(TINY));
      await waitReady(page, log);
      await sleep(1500); // late errors (worker start, first status) still count
      const foreign = foreignRequests(log.requests, ctx.server.origin);
      check(foreign.length === 0, `requests left the page's origin ${ctx.server.origin}: ${foreign.slice(0, 5).join(', ')}`);
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      const hint = log.badResponses.some((r) => /\/favicon\.ico$/.test(r))
        ? ' (the browser asked for /favicon.ico: index.html should declare an icon, e.g. <link rel="icon" href="./favicon.svg">)'
        : '';
      check(log.consoleErrors.length === 0, `console errors: ${log.consoleErrors.slice(0, 3).join(' | ')}; failed requests: ${log.badResponses.join(', ') || 'none'}${hint}`);
      check(log.badResponses.length === 0, `failed requests: ${log.badResponses.slice(0, 5).join(', ')}${hint}`);
      check(log.requests.length > 0, 'no requests recorded at all');
      return `${log.requests.length} requests, all to ${ctx.server.origin}`;
    },
  },
  {
    id: 6,
    name: 'a hostile URL shows url-notice and defaults, and injects nothing',
    timeout: 150_000,
    async run(ctx) {
      // the defaults, as the page shows them with no query string
      const clean = await ctx.open();
      await clean.page.goto(ctx.server.url);
      await poll(async () => (await clean.page.locator('[data-testid^="setting-"]').count()) > 5, {
        timeout: 30_000,
        message: 'no setting-* inputs on the page without a query string',
      });
      const defaults = await settingValues(clean.page);
      const scriptsClean = await clean.page.evaluate(() => document.scripts.length);
      await clean.context.close();

      const hostile =
        '?dataset=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E' +
        '&model=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D2%22%3E' +
        '&optimizer=%22%3E%3Csvg%2Fonload%3Dalert(3)%3E' +
        '&mode=javascript%3Aalert(4)' +
        '&batchSize=99999999&learningRate=-5&seed=NaN&trainCap=1e400&labelNoise=7&evalInterval=Infinity' +
        '&presampleFactor=0x10&momentum=1%3Balert(5)&compare=%3Cb%3Eyes%3C%2Fb%3E' +
        '&unknownKey=%3Ciframe%20src%3Djavascript%3Aalert(6)%3E' +
        '&__proto__%5Bpolluted%5D=1&constructor=prototype&toString=%3Cscript%3E';
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + hostile);
      await poll(async () => visible(page, 'url-notice'), {
        timeout: 30_000,
        message: async () => `no url-notice for a hostile URL: ${await describe(page, log)}`,
      });
      await sleep(1500); // let any injected handler fire
      const notice = await text(page, 'url-notice');
      const named = (keys) => keys.some((k) => notice.toLowerCase().includes(k.toLowerCase()));
      const unnamed = [
        ['batchSize', 'Batch size'],
        ['dataset', 'Dataset'],
        ['unknownKey'],
      ].filter((ks) => !named(ks));
      check(unnamed.length === 0, `url-notice does not name ${unnamed.map((k) => k[0]).join(', ')}: "${notice}"`);
      const values = await settingValues(page);
      const diffs = Object.keys({ ...defaults, ...values }).filter((k) => defaults[k] !== values[k]);
      check(
        diffs.length === 0,
        `hostile values were not replaced by defaults: ${diffs.map((k) => `${k}: "${values[k]}" (default "${defaults[k]}")`).join(', ')}`,
      );
      const dom = await page.evaluate(() => ({
        pwned: window.__pwned ?? null,
        polluted: Object.prototype.polluted ?? null,
        scripts: document.scripts.length,
        injected: document.querySelectorAll('iframe, img[src="x"], svg[onload], b, [onerror], [onload], [onclick]').length,
        inlineHandlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
        jsHrefs: [...document.querySelectorAll('[href], [src]')].filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? e.getAttribute('src') ?? '')).length,
      }));
      check(log.dialogs.length === 0, `dialogs fired: ${log.dialogs.join(' | ')}`);
      check(dom.pwned === null, `injected script ran (window.__pwned = ${dom.pwned})`);
      check(dom.polluted === null, 'Object.prototype was polluted from the URL');
      check(dom.scripts === scriptsClean, `script elements: ${dom.scripts} with the hostile URL, ${scriptsClean} without`);
      check(dom.injected === 0 && dom.inlineHandlers === 0 && dom.jsHrefs === 0, `injected elements found: ${JSON.stringify(dom)}`);
      check(log.pageErrors.length === 0, `uncaught errors on the hostile URL: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      return `notice: "${notice.slice(0, 160)}${notice.length > 160 ? '…' : ''}"`;
    },
  },
  {
    id: 7,
    name: 'a corrupted dataset file shows error-banner naming it; the page stays usable with another dataset',
    timeout: 200_000,
    async run(ctx) {
      const file = await ctx.datasetFile('mnist');
      const srv = await ctx.startServer({ corrupt: { [file]: 'flip' } });
      try {
        const { page, log } = await ctx.open();
        await page.goto(srv.url + query({ ...TINY, dataset: 'mnist', evalInterval: 1000 }));
        await poll(async () => visible(page, 'error-banner'), {
          timeout: 90_000,
          message: async () => `no error-banner for the corrupted ${file}: ${await describe(page, log)}`,
        });
        const err = await text(page, 'error-banner');
        const name = basename(file);
        check(
          err.includes(name) || err.includes(name.replace(/\.gz$/, '')),
          `error-banner does not name the corrupted file ${name}: "${err}"`,
        );
        check(log.pageErrors.length === 0, `uncaught errors after the corrupted file: ${log.pageErrors.slice(0, 3).join(' | ')}`);
        await setSetting(page, 'dataset', 'synthetic-shapes');
        await waitReady(page, log, { allowError: true });
        await click(page, 'start-button');
        await poll(async () => ((await steps(page)).importance ?? 0) >= 2, {
          timeout: FIRST_STEP_TIMEOUT,
          message: async () => `after switching to synthetic-shapes, training did not advance: ${await describe(page, log)}`,
        });
        await click(page, 'pause-button');
        return `banner: "${err.slice(0, 140)}"; synthetic-shapes trained after`;
      } finally {
        await srv.close();
      }
    },
  },
  {
    id: 9,
    name: 'Content-Security-Policy: training, CSV/JSON export and PNG download work under the policy, with no violation; the worker runs under the header',
    timeout: 240_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      // Violations are recorded from the first script on (the policy applies from the meta tag).
      await page.addInitScript(() => {
        window.__cspViolations = [];
        document.addEventListener(
          'securitypolicyviolation',
          (e) => window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`),
          true,
        );
      });
      await page.goto(ctx.server.url + query({ ...TINY, mode: 'importance' }));
      await waitReady(page, log);
      const policy = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy" i]')?.getAttribute('content') ?? null);
      check(policy !== null, 'index.html has no <meta http-equiv="Content-Security-Policy">');
      const directives = Object.fromEntries(
        policy
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name, values.join(' ')]),
      );
      for (const [name, want] of [
        ['default-src', "'self'"],
        // WebAssembly may compile (the wasm training backend); no JavaScript eval, no inline script.
        ['script-src', "'self' 'wasm-unsafe-eval'"],
        ['object-src', "'none'"],
        ['base-uri', "'none'"],
      ]) {
        check(directives[name] === want, `the policy's ${name} is "${directives[name]}", expected "${want}" (policy: ${policy})`);
      }
      const scriptSources = (directives['script-src'] ?? '').split(/\s+/);
      check(!scriptSources.some((t) => t === "'unsafe-eval'" || t === "'unsafe-inline'"), `script-src allows unsafe code: ${directives['script-src']}`);
      // The <meta> tag covers the page only; the training worker's own script comes with the
      // policy as a header (plus blob: for the wasm threads, and frame-ancestors 'none').
      const worker = page.workers()[0];
      check(worker, 'no training worker on the page');
      const workerPolicy = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-security-policy'), worker.url());
      check(
        typeof workerPolicy === 'string' && /script-src 'self' 'wasm-unsafe-eval' blob:/.test(workerPolicy) && /frame-ancestors 'none'/.test(workerPolicy),
        `the worker's script ${worker.url()} comes with no or another Content-Security-Policy header: ${workerPolicy}`,
      );

      // Training under the policy: both runs advance and the charts gain points (the pause
      // semantics are scenario 3's).
      await click(page, 'start-button');
      await poll(
        async () => {
          const st = await steps(page);
          return st.importance >= 2 && st.uniform >= 2 && ((await points(page, 'chart-loss')) ?? 0) > 0 && ((await points(page, 'chart-tau')) ?? 0) > 0;
        },
        { timeout: FIRST_STEP_TIMEOUT, message: async () => `training did not advance under the policy: ${await describe(page, log)}` },
      );
      await click(page, 'pause-button');
      const s = await steps(page);
      const csv = (await download(page, 'export-csv')).body.trim().split(/\r?\n/);
      check(/^run,kind,step,/.test(csv[0]) && csv.length > 2, `export-csv is not the metrics table: "${csv.slice(0, 2).join(' / ')}"`);
      const json = JSON.parse((await download(page, 'export-json')).body);
      check(Object.keys(json?.runs ?? {}).length === 2, `export-json does not hold both runs: ${Object.keys(json?.runs ?? {})}`);
      const pngButton = page.locator('[data-testid^="export-png-"]').first();
      check((await pngButton.count()) > 0, 'no chart PNG button (data-testid="export-png-…")');
      const pngId = await pngButton.getAttribute('data-testid');
      const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), pngButton.click({ timeout: 10_000 })]);
      const png = await readFile(await dl.path());
      check(
        png.length > 1000 && png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
        `${pngId} did not download a PNG (${png.length} bytes, starting ${png.subarray(0, 8).toString('hex')})`,
      );
      await sleep(500); // late reports

      const violations = await page.evaluate(() => window.__cspViolations);
      const cspConsole = log.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m));
      check(violations.length === 0, `securitypolicyviolation events: ${violations.slice(0, 5).join(' | ')}`);
      check(cspConsole.length === 0, `CSP errors on the console: ${cspConsole.slice(0, 3).join(' | ')}`);
      check(log.pageErrors.length === 0, `uncaught errors under the policy: ${log.pageErrors.slice(0, 3).join(' | ')}`);

      // The check above can fail: an inline script (which the policy forbids) is blocked and reported.
      const probe = await page.evaluate(async () => {
        const el = document.createElement('script');
        el.textContent = 'window.__inlineRan = true';
        document.head.appendChild(el);
        await new Promise((r) => setTimeout(r, 200));
        return { ran: window.__inlineRan === true, reported: window.__cspViolations.length };
      });
      check(!probe.ran && probe.reported > 0, `the policy is not in force: an inline script ${probe.ran ? 'ran' : 'was blocked'}, ${probe.reported} violation(s) reported`);
      // In the worker: a string timer (eval by another name) is refused, so the header's policy
      // is in force there; and a blob: worker may load a blob: script, as the wasm threads do.
      const inWorker = await worker.evaluate(async () => {
        const stringTimer = await new Promise((resolve) => {
          self.__stringTimerRan = false;
          try {
            setTimeout('self.__stringTimerRan = true', 0);
          } catch {
            resolve('threw');
          }
          setTimeout(() => resolve(self.__stringTimerRan ? 'ran' : 'blocked'), 300);
        });
        const blobUrl = (code) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
        const inner = blobUrl('self.loadedFromBlob = true;');
        const thread = new Worker(blobUrl(`try { importScripts(${JSON.stringify(inner)}); postMessage(self.loadedFromBlob === true); } catch (e) { postMessage(false); }`));
        const blobWorker = await new Promise((resolve) => {
          thread.onmessage = (e) => resolve(e.data === true);
          thread.onerror = () => resolve(false);
          setTimeout(() => resolve(false), 5000);
        });
        thread.terminate();
        return { stringTimer, blobWorker };
      });
      check(inWorker.stringTimer !== 'ran', 'the training worker runs under no policy: a string timer ran in it');
      check(inWorker.blobWorker, "under the worker's policy a blob: worker could not load a blob: script: the wasm backend's threads could not start");
      const badge = await text(page, 'backend-badge');
      return `policy "${policy.slice(0, 80)}…"; worker under the header (string timer blocked, blob: threads may start); trained on "${badge.slice(0, 60)}" to step ${s.importance}; CSV ${csv.length - 1} rows, JSON both runs, ${pngId} ${png.length} B; 0 violations (an inline-script probe was blocked and reported)`;
    },
  },
];
