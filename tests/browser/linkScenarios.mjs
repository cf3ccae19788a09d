// Browser scenarios of links: the shared link restores every setting and the same first
// losses, and a preset sets its settings and its link.
import {
  TINY,
  check,
  click,
  describe,
  poll,
  query,
  setSetting,
  settingValues,
  sleep,
  steps,
  text,
  tid,
  visible,
  waitReady,
} from './lib.mjs';
import { FIRST_STEP_TIMEOUT, firstLosses } from './pageHelpers.mjs';

export const linkScenarios = [
  {
    id: 5,
    name: 'Share: the copied link restores every setting; two runs of it give the same first losses',
    timeout: 240_000,
    async run(ctx) {
      const { page, log, context } = await ctx.open();
      const chosen = {
        ...TINY,
        optimizer: 'sgd',
        learningRate: 0.05,
        momentum: 0.5,
        presampleFactor: 4,
        mode: 'importance',
        sampler: 'presample',
        score: 'loss',
        tauThresholdMode: 'fixed',
        tauThreshold: 2.5,
        smoothing: 0.5,
        seed: 4242,
        labelNoise: 0.1,
        compare: true,
        evalInterval: 1000, // the initial evaluation still gives one point per run
      };
      await page.goto(ctx.server.url + query(chosen));
      await waitReady(page, log);
      check(!(await visible(page, 'url-notice')), `url-notice shown for a valid link: "${await text(page, 'url-notice')}"`);
      // a change made in the UI must reach the link too
      await setSetting(page, 'seed', 777);
      await sleep(500);
      await waitReady(page, log);
      const original = await settingValues(page);
      check(Object.keys(original).length > 5, `too few setting-* inputs found: ${JSON.stringify(original)}`);
      check(original.seed === '777', `setting-seed reads "${original.seed}" after typing 777`);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.origin });
      await page.evaluate(() => navigator.clipboard.writeText('(nothing copied)'));
      await click(page, 'share-button');
      const link = await poll(
        async () => {
          const t = await page.evaluate(() => navigator.clipboard.readText());
          return t !== '(nothing copied)' && t;
        },
        { timeout: 5000, message: 'share-button copied nothing to the clipboard' },
      );
      check(link.startsWith(ctx.server.url), `the copied link "${link}" is not under the page's address ${ctx.server.url}`);
      await context.close();

      const n = 3;
      const a = await firstLosses(ctx, link, n);
      check(!a.notice, `url-notice shown for the shared link: "${a.notice}"`);
      const restored = a.settings;
      // backend=auto is shared as the backend in force (the link pins it, so the numbers reproduce).
      const pinned = new URL(link).searchParams.get('backend');
      check(original.backend !== 'auto' || /^(webgpu|webgl|wasm|cpu)$/.test(pinned ?? ''), `the shared link carries backend "${pinned}", expected the backend in force`);
      const expected = { ...original, backend: original.backend === 'auto' ? pinned : original.backend };
      const diffs = Object.keys({ ...expected, ...restored }).filter((k) => expected[k] !== restored[k]);
      check(
        diffs.length === 0,
        `the shared link did not restore: ${diffs.map((k) => `${k}: "${expected[k]}" → "${restored[k]}"`).join(', ')} (link ${link})`,
      );
      const b = await firstLosses(ctx, link, n);
      check(a.backend === b.backend, `the two runs used different backends: "${a.backend}" vs "${b.backend}"`);
      const keys = Object.keys(a.series).filter((k) => a.series[k].length >= 1);
      check(keys.length > 0, `no losses found in the ${a.source} export`);
      const mismatches = [];
      for (const k of keys) {
        const x = a.series[k].slice(0, n);
        const y = (b.series[k] ?? []).slice(0, n);
        if (x.length !== y.length || x.some((v, i) => v !== y[i])) mismatches.push(`${k}: [${x.join(', ')}] vs [${y.join(', ')}]`);
      }
      check(mismatches.length === 0, `two runs of the same link gave different first losses: ${mismatches.join('; ')}`);
      return `${Object.keys(original).length - 1} settings restored; first losses equal in ${keys.length} series (${a.source}), e.g. ${keys[0]} = [${a.series[keys[0]].slice(0, n).map((v) => v.toPrecision(6)).join(', ')}]`;
    },
  },
  {
    id: 11,
    name: 'a preset: one click sets its settings and the link; the link opens with them, the preset chosen, and trains',
    timeout: 240_000,
    async run(ctx) {
      // The "where it pays" preset (src/ui/presetTable.ts): the values it must land on.
      const want = { dataset: 'mnist', model: 'mlp', optimizer: 'adam', batchSize: '64', sampler: 'table', tableSmoothing: '0.2', trainCap: '8000' };
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query(TINY));
      await waitReady(page, log);
      check((await page.locator(tid('presets')).first().getAttribute('data-chosen')) === '', 'a preset is marked chosen on the TINY settings');
      await click(page, 'preset-where-it-pays');
      const link = page.url();
      const params = new URL(link).searchParams;
      const wrong = Object.entries({ ...want, mode: 'importance' }).filter(([k, v]) => params.get(k) !== v);
      check(wrong.length === 0, `after the preset click the link has ${wrong.map(([k]) => `${k}=${params.get(k)}`).join(', ')}; expected ${wrong.map(([k, v]) => `${k}=${v}`).join(', ')}`);
      check((await page.locator(tid('preset-where-it-pays')).first().getAttribute('aria-pressed')) === 'true', 'preset-where-it-pays is not aria-pressed after the click');
      await page.context().close();

      const o = await ctx.open();
      await o.page.goto(link);
      await waitReady(o.page, o.log);
      const shown = await settingValues(o.page);
      const off = Object.entries(want).filter(([k, v]) => shown[k] !== v);
      check(off.length === 0, `the preset link opened with ${off.map(([k]) => `${k}=${shown[k]}`).join(', ')}; expected ${off.map(([k, v]) => `${k}=${v}`).join(', ')}`);
      check(shown['(mode button pressed)'] === 'importance', `the preset link opened with mode "${shown['(mode button pressed)']}", expected importance`);
      const chosen = await o.page.locator(tid('presets')).first().getAttribute('data-chosen');
      check(chosen === 'where-it-pays', `the preset link opened with presets data-chosen="${chosen}", expected where-it-pays`);
      check(/loss curves split/.test(await text(o.page, 'preset-explanation')), `preset-explanation does not explain the preset: "${await text(o.page, 'preset-explanation')}"`);
      check(!(await visible(o.page, 'url-notice')), `the preset link produced a URL notice: "${await text(o.page, 'url-notice')}"`);
      await click(o.page, 'start-button');
      await poll(
        async () => {
          const s = await steps(o.page);
          return s.importance >= 3 && s.uniform >= 3;
        },
        { timeout: FIRST_STEP_TIMEOUT, message: async () => `the preset's runs did not both advance by 3 steps: ${await describe(o.page, o.log)}` },
      );
      await click(o.page, 'pause-button');
      const s = await steps(o.page);
      check(o.log.pageErrors.length === 0, `uncaught errors: ${o.log.pageErrors.slice(0, 3).join(' | ')}`);
      return `link ${link.length} characters; trained MNIST/MLP/table to steps importance=${s.importance} uniform=${s.uniform}`;
    },
  },
];
