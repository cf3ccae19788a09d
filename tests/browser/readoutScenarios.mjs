// Browser scenarios of the "who is ahead" readout (src/ui/race/whoIsAhead.ts, Readout.tsx): it
// matches the exported evaluations, and two identical runs read "level", the band covering what
// separates them.
import { readFile } from 'node:fs/promises';
import { TINY, check, click, describe, poll, query, sleep, steps, text, tid, waitReady } from './lib.mjs';
import { FIRST_STEP_TIMEOUT, download } from './pageHelpers.mjs';

/** The page's JSON export, parsed. */
async function exportedJson(page) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click(page, 'export-json')]);
  return JSON.parse(await readFile(await dl.path(), 'utf8'));
}

export const readoutScenarios = [
  {
    id: 12,
    name: 'the who-is-ahead readout shows a loss ratio once both runs have evaluated, and it matches the exported evaluations',
    timeout: 180_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query({ ...TINY, mode: 'importance', sampler: 'table' }));
      await waitReady(page, log);
      const readout = page.locator(tid('readout')).first();
      const attr = (name) => readout.getAttribute(name, { timeout: 2000 });
      check((await attr('data-state')) === 'waiting', `before training the readout's data-state is "${await attr('data-state')}", expected waiting`);
      check(/not yet/.test(await text(page, 'readout-loss-ratio')), `before training readout-loss-ratio says "${await text(page, 'readout-loss-ratio')}", expected "not yet"`);
      await click(page, 'start-button');
      await poll(async () => Number.isFinite(Number((await attr('data-loss-ratio')) || 'x')), {
        timeout: FIRST_STEP_TIMEOUT,
        interval: 500,
        message: async () => `the readout never showed a loss ratio (data-state "${await attr('data-state')}", "${await text(page, 'readout-loss-ratio')}"): ${await describe(page, log)}`,
      });
      await click(page, 'pause-button');
      // Let the last throttled metrics land, then read the readout and the export of the same store.
      let ratio;
      let exported;
      await poll(
        async () => {
          const before = await attr('data-loss-ratio');
          await sleep(1500);
          ratio = Number(await attr('data-loss-ratio'));
          exported = JSON.parse((await download(page, 'export-json')).body);
          return before === (await attr('data-loss-ratio'));
        },
        { timeout: 30_000, interval: 0, message: 'the readout kept changing after Pause' },
      );
      const sentence = await text(page, 'readout-loss-ratio');
      check(/lower loss at equal time|level/.test(sentence), `readout-loss-ratio does not say who is ahead: "${sentence}"`);
      check(Number.isFinite(ratio) && ratio > 0, `data-loss-ratio is ${ratio}`);
      // The same ratio from the exported evaluations, as the readout defines it (src/ui/race/trendFit.ts):
      // each run's least-squares line of ln loss on ln own clock over its evaluations in [t/2, t]
      // (at least its last 4 up to t), read at t, the smaller of the two latest clocks.
      const curve = (id) =>
        (exported?.runs?.[id]?.evals ?? []).filter((e) => Number.isFinite(e.trainLoss) && e.trainLoss > 0 && Number.isFinite(e.clockMs) && e.clockMs > 0);
      const trend = (pts, t) => {
        const upTo = pts.filter((p) => p.clockMs <= t);
        const inWindow = upTo.filter((p) => p.clockMs >= t / 2);
        const w = inWindow.length >= 4 ? inWindow : upTo.slice(-4);
        const x = w.map((p) => Math.log(p.clockMs));
        const y = w.map((p) => Math.log(p.trainLoss));
        const mx = x.reduce((a, b) => a + b, 0) / x.length;
        const my = y.reduce((a, b) => a + b, 0) / y.length;
        const sxy = x.reduce((a, xi, i) => a + (xi - mx) * (y[i] - my), 0);
        const sxx = x.reduce((a, xi) => a + (xi - mx) ** 2, 0);
        return my + (sxy / sxx) * (Math.log(t) - mx);
      };
      const [imp, uni] = [curve('importance'), curve('uniform')];
      check(imp.length >= 4 && uni.length >= 4, `the export holds ${imp.length} importance and ${uni.length} uniform evaluations, expected 4 or more each`);
      const t = Math.min(imp.at(-1).clockMs, uni.at(-1).clockMs);
      const expected = Math.exp(trend(uni, t) - trend(imp, t));
      check(Math.abs(ratio - expected) <= 1e-9 * expected, `data-loss-ratio ${ratio} differs from ${expected} computed from the exported evaluations at ${t.toFixed(1)} ms`);
      const speed = await attr('data-speedup');
      return `loss ratio ${ratio.toFixed(3)} at ${(t / 1000).toFixed(2)} s own clock ("${sentence.slice(0, 80)}"); speed-up ${speed || 'not yet'}; ${imp.length}/${uni.length} evaluations`;
    },
  },
  {
    id: 21,
    name: 'who is ahead: two identical runs (mode=uniform, CPU backend) read "level" after many evaluations, the band covering their clocks’ timing noise',
    timeout: 240_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      // mode=uniform: the importance run trains exactly as the uniform run does (docs/method.md
      // §4: no sampler upkeep in uniform mode), from the same weights and the same seeded draws.
      // On the CPU backend their losses are bit-identical; only their own clocks differ, by
      // timing noise, which at this tiny size (sub-millisecond blocks) is large early on. The
      // check is that identical losses with clocks apart make no leader.
      await page.goto(ctx.server.url + query({ ...TINY, backend: 'cpu', mode: 'uniform', sampler: 'presample' }));
      await waitReady(page, log);
      const readout = page.locator(tid('readout')).first();
      const attr = (name) => readout.getAttribute(name, { timeout: 2000 });
      check((await attr('data-state')) === 'waiting', `before training the readout's data-state is "${await attr('data-state')}", expected waiting`);
      check(await page.locator(tid('loss-log-scale')).first().isChecked(), 'the loss chart does not open on the log scale');
      await click(page, 'start-button');
      // 80 steps at evalInterval 2: 40 evaluations each, 20 of them in the readout's window.
      await poll(
        async () => {
          const s = await steps(page);
          return s.importance >= 80 && s.uniform >= 80;
        },
        { timeout: 120_000, interval: 500, message: async () => `the runs did not reach 80 steps each: ${await describe(page, log)}` },
      );
      await click(page, 'pause-button');
      // Let the last throttled metrics land: the readout holds still for 1.5 s.
      let before = null;
      await poll(
        async () => {
          const now = `${await attr('data-loss-ratio')} ${await attr('data-band')}`;
          const settled = now === before;
          before = now;
          if (!settled) await sleep(1500);
          return settled;
        },
        { timeout: 30_000, interval: 0, message: 'the readout kept changing after Pause' },
      );
      const ratio = Number(await attr('data-loss-ratio'));
      const band = Number(await attr('data-band'));
      const leader = await attr('data-leader');
      const exported = await exportedJson(page);
      const evals = (id) => (exported?.runs?.[id]?.evals ?? []).filter((e) => e.clockMs > 0);
      const [imp, uni] = [evals('importance'), evals('uniform')];
      const common = Math.min(imp.length, uni.length);
      check(common >= 20, `the export holds ${imp.length} importance and ${uni.length} uniform evaluations, expected 20 or more each`);
      // The premise: the same losses, apart clocks (else this scenario tests nothing about the band).
      const sameLosses = imp.slice(0, common).every((e, i) => e.trainLoss === uni[i].trainLoss);
      check(sameLosses, 'the two uniform runs on the CPU backend evaluated different training losses: they are not identical runs');
      const clockGap = Math.max(...imp.slice(0, common).map((e, i) => Math.abs(Math.log(e.clockMs / uni[i].clockMs))));
      const sentence = await text(page, 'readout-loss-ratio');
      check(Number.isFinite(ratio) && Number.isFinite(band) && band > 0, `data-loss-ratio "${ratio}", data-band "${band}": expected numbers, the band above 0`);
      check(
        leader === 'level',
        `two identical runs read data-leader="${leader}" (loss ratio ${ratio.toFixed(4)}, band ±${(band * 100).toFixed(1)} %, clocks up to ${(100 * Math.expm1(clockGap)).toFixed(1)} % apart): "${sentence}"`,
      );
      check(/level: within ±/.test(sentence), `readout-loss-ratio says "${sentence}", expected "level: within ±…"`);
      check(/^Level \(within ±/.test(await text(page, 'readout-leader')), `readout-leader says "${await text(page, 'readout-leader')}"`);
      const ratioChart = page.locator(tid('chart-loss-ratio')).first();
      const ratioPoints = Number(await ratioChart.getAttribute('data-points'));
      check(ratioPoints > 0, `chart-loss-ratio holds ${ratioPoints} points`);
      check((await ratioChart.locator(tid('level-band')).count()) === 1, 'chart-loss-ratio draws no level band');
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      return `level: ratio ${ratio.toFixed(4)} within ±${(band * 100).toFixed(1)} %; ${common} evaluations each, same losses, clocks up to ${(100 * Math.expm1(clockGap)).toFixed(1)} % apart; ratio chart ${ratioPoints} points`;
    },
  },
];
