// Browser scenarios of the training loop (docs/method.md §7): fair own clocks on the WebGPU
// path, and a first chart point within seconds on a machine without a GPU.
import { TINY, check, click, describe, poll, query, steps, waitReady } from './lib.mjs';
import { startUntilFirstPoint } from './pageHelpers.mjs';

/** Own-clock ms per step of each run, from the JSON export's last step points. */
async function msPerStep(page) {
  const dl = page.waitForEvent('download');
  await click(page, 'export-json');
  const file = await (await dl).path();
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(file, 'utf8'));
  const out = {};
  for (const [id, run] of Object.entries(json.runs ?? {})) {
    const last = (run.steps ?? []).at(-1);
    if (last) out[id] = { step: last.step, ms: last.clockMs / last.step };
  }
  return out;
}

export const loopScenarios = [
  {
    id: 14,
    name: 'fair clocks on WebGPU: two runs doing identical work (mode=uniform) show the same own-clock time per step (±20 %)',
    timeout: 300_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      // Identical runs: both uniform, same weights, same draws; evaluations between blocks.
      await page.goto(ctx.server.url + query({ ...TINY, backend: 'webgpu', mode: 'uniform', trainCap: 512, batchSize: 16, evalInterval: 8 }));
      const badge = await waitReady(page, log);
      const forced = ctx.backend ?? 'webgpu'; // run.mjs --backend forces every link's backend
      check(new RegExp(`^${forced}\\b`, 'i').test(badge), `backend-badge says "${badge}", expected ${forced} (forced by the link)`);
      await click(page, 'start-button');
      await poll(
        async () => {
          const s = await steps(page);
          return s.importance >= 64 && s.uniform >= 64;
        },
        { timeout: 240_000, interval: 500, message: async () => `the runs did not reach 64 steps each: ${await describe(page, log)}` },
      );
      await click(page, 'pause-button');
      await poll(async () => (await steps(page)).importance === (await steps(page)).uniform, { timeout: 30_000, message: async () => `the runs did not stop level: ${await describe(page, log)}` });
      const m = await msPerStep(page);
      check(m.importance && m.uniform, `the export lacks a run's steps: ${JSON.stringify(m)}`);
      const ratio = m.importance.ms / m.uniform.ms;
      check(ratio > 1 / 1.2 && ratio < 1.2, `identical runs' own clocks differ: importance ${m.importance.ms.toFixed(1)} ms/step, uniform ${m.uniform.ms.toFixed(1)} ms/step (ratio ${ratio.toFixed(3)}, allowed 0.83-1.2)`);
      await page.context().close();
      return `ms/step importance ${m.importance.ms.toFixed(1)}, uniform ${m.uniform.ms.toFixed(1)} (ratio ${ratio.toFixed(3)}) at step ${m.importance.step}`;
    },
  },
  {
    id: 15,
    name: 'default link on a software WebGPU adapter: the backend is measured and picked, and the first training-loss point comes within 10 s of Start',
    timeout: 240_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url);
      const badge = await waitReady(page, log, { timeout: 180_000 });
      const firstMs = await startUntilFirstPoint(page, log);
      const why = await page.locator('[data-testid="backend-choice"]').first().innerText({ timeout: 1000 }).catch(() => '');
      await click(page, 'pause-button');
      await page.context().close();
      check(firstMs <= 10_000, `the first training-loss point came ${(firstMs / 1000).toFixed(1)} s after Start (backend "${badge}"), more than 10 s`);
      // With --backend (run.mjs) the link forces a backend, which is not measured against others.
      if (ctx.backend) check(new RegExp(`^${ctx.backend}\\b`, 'i').test(badge), `backend-badge says "${badge}", expected ${ctx.backend} (forced by the link)`);
      else check(/fastest measured/i.test(why), `on a software adapter the backend was not measured: backend-choice says "${why}" (badge "${badge}")`);
      return `first point ${(firstMs / 1000).toFixed(1)} s after Start on "${badge}"; ${why.slice(0, 160)}`;
    },
  },
];
