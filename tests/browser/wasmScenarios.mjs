// Browser scenarios of the WebAssembly backend: the default link on this machine (no hardware
// GPU, a software WebGPU adapter) trains on wasm because backend=auto measured it fastest, says
// why, says whether it trains on threads, and starts from the model its measured step allows.
import { check, click, describe, poll, sleep, steps, text, waitReady } from './lib.mjs';
import { startUntilFirstPoint } from './pageHelpers.mjs';

export const wasmScenarios = [
  {
    id: 20,
    name: 'default link without a hardware GPU: auto measures and trains on wasm, says why and whether it uses threads, and picks the default model from the measured step',
    timeout: 240_000,
    async run(ctx) {
      // The default link as a newcomer opens it: --backend does not apply here (auto is the point).
      const { page, log } = await ctx.open({ keepBackend: true });
      await page.goto(ctx.server.url);
      await waitReady(page, log, { timeout: 180_000 });
      // The page moves to the tiny CNN once the engine has timed it, or stays on the MLP: either way it says so.
      const notice = await poll(async () => text(page, 'model-notice'), {
        timeout: 60_000,
        message: async () => `no model-notice saying which model the page starts from and why: ${await describe(page, log)}`,
      });
      check(/^Starting from the (tiny CNN|MLP): /.test(notice), `model-notice says "${notice}"`);
      const model = notice.startsWith('Starting from the tiny CNN') ? 'cnn-tiny' : 'mlp';
      // A move to the tiny CNN rebuilds the race: wait until the model in force is the one announced.
      await poll(
        async () => (await page.locator('[data-testid="setting-model"]').inputValue()) === model && (await text(page, 'backend-choice')).includes(`for ${model} `),
        { timeout: 120_000, message: async () => `the page did not settle on ${model}: ${await describe(page, log)}` },
      );
      await waitReady(page, log, { timeout: 120_000 });

      const badge = await text(page, 'backend-badge');
      const why = await text(page, 'backend-choice');
      const isolated = await page.evaluate(() => self.crossOriginIsolated);
      check(/^wasm\b/.test(badge), `backend=auto did not pick wasm here: the badge says "${badge}"`);
      check(/fastest measured for \S+ at b = \d+: .*wasm \d+ ms/.test(why), `the badge does not say why wasm (its measured step): "${why}"`);
      // Threads: how many, and why one where it is one.
      const threads = badge.match(/SIMD · (\d+) threads?( \(([^)]*)\))?/);
      check(threads, `the badge does not say SIMD and threads: "${badge}"`);
      check(threads[1] !== '1' || Boolean(threads[3]), `one thread without a reason: "${badge}"`);
      check(isolated, 'the test server sends COOP/COEP, yet the page is not cross-origin isolated');

      // It trains: the first chart point after Start, then both runs' pace.
      const firstMs = await startUntilFirstPoint(page, log);
      await sleep(2000);
      const a = await steps(page);
      const ta = Date.now();
      await sleep(10_000);
      const b = await steps(page);
      const seconds = (Date.now() - ta) / 1000;
      await click(page, 'pause-button');
      const pace = { importance: (b.importance - a.importance) / seconds, uniform: (b.uniform - a.uniform) / seconds };
      check(pace.importance > 0 && pace.uniform > 0, `a run did not train on wasm: ${JSON.stringify({ a, b })}`);
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      // The tiny CNN is the default only where its measured step allows ~10 steps/s per run and
      // a first point within 10 s; on a loaded machine the page may run a little slower than predicted.
      if (model === 'cnn-tiny') check(firstMs <= 10_000, `the tiny CNN's first chart point came ${(firstMs / 1000).toFixed(1)} s after Start`);
      return (
        `${model}: ${notice.slice(0, 140)} | badge "${badge.slice(0, 90)}" | first loss point ${(firstMs / 1000).toFixed(1)} s after Start; ` +
        `steps/s per run importance ${pace.importance.toFixed(1)}, uniform ${pace.uniform.toFixed(1)}`
      );
    },
  },
];
