// Browser scenarios of the "who is ahead" readout (src/ui/race/whoIsAhead.ts, Readout.tsx):
// two identical runs must read "level", the band covering what separates them.
import { readFile } from 'node:fs/promises';
import { TINY, check, click, describe, poll, query, sleep, steps, text, tid, waitReady } from './lib.mjs';

/** The page's JSON export, parsed. */
async function exportedJson(page) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click(page, 'export-json')]);
  return JSON.parse(await readFile(await dl.path(), 'utf8'));
}

export const readoutScenarios = [
  {
    id: 21,
    name: 'who is ahead: two identical runs (mode=uniform, CPU backend) read "level" after many evaluations, the band covering their clocks’ timing noise',
    timeout: 240_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      // mode=uniform: the importance run draws uniformly from the same seeded stream as the
      // uniform run, from the same weights. On the CPU backend their losses are bit-identical;
      // only their own clocks differ. Not by timing noise alone: the importance trainer's
      // uniform step also reads its batch's scores and updates τ, which at this tiny size took
      // about 1.3× the plain uniform step's time here (presample; 1.3-1.5× with the score
      // table, which it also updates). The losses being the same, that gap is all the readout
      // can see, and on a race this short and bumpy the band (about ±100 %) holds it: the
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
