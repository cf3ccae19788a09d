// Browser scenarios of comparing experiments: the run history in IndexedDB (kept at Reset,
// still there after a reload, a planted corrupt entry reported), overlays and the seed band
// on the loss chart, and the keyboard shortcuts driving the engine.
import { TINY, check, click, describe, poll, query, steps, text, waitReady } from './lib.mjs';

// The CPU backend: these scenarios are about the page, and it is the quickest to load.
const SMALL = { ...TINY, backend: 'cpu' };

const count = (page, id) => page.locator(`[data-testid="${id}"]`).count();
const historyItems = (page) => count(page, 'history-item');

async function waitFor(page, log, what, fn, timeout = 60_000, interval = 300) {
  await poll(fn, { timeout, interval, message: async () => `${what}: ${await describe(page, log)}` });
}

/** The importance run's step once it has read the same three times in a row, 400 ms apart. */
async function settledSteps(page, log) {
  const seen = [];
  await waitFor(page, log, 'the step counter did not settle', async () => {
    seen.push((await steps(page)).importance);
    return seen.length >= 3 && seen.slice(-3).every((v) => v === seen.at(-1));
  }, 30_000, 400);
  return seen.at(-1);
}

async function trainSome(page, log, n) {
  await click(page, 'start-button');
  await waitFor(page, log, `the runs did not reach ${n} steps`, async () => {
    const s = await steps(page);
    return s.importance >= n && s.uniform >= n;
  });
  await click(page, 'pause-button');
}

export const compareScenarios = [
  {
    id: 16,
    name: 'run history: a race is kept at Reset, is still there after a reload, and overlaying it draws its line on the loss chart; a race in flight at a reload is kept',
    timeout: 180_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query(SMALL));
      await waitReady(page, log);
      check((await historyItems(page)) === 0, 'a fresh browser shows races in the history');
      await trainSome(page, log, 12);
      await click(page, 'reset-button');
      await waitFor(page, log, 'no race in the history after Reset', async () => (await historyItems(page)) === 1);
      const item = await text(page, 'history-item');
      check(/loss: importance \d/.test(item), `the history item lacks the final losses: "${item}"`);
      await page.reload();
      await waitReady(page, log);
      await waitFor(page, log, 'the race is gone after a reload', async () => (await historyItems(page)) === 1);
      check((await count(page, 'overlay-line')) === 0, 'an overlay line is drawn before any race is ticked');
      await page.locator('[data-testid="history-overlay"]').first().check();
      await waitFor(page, log, 'ticking the race drew no overlay line on the loss chart', async () =>
        (await page.locator('[data-testid="chart-loss"] [data-testid="overlay-line"]').count()) > 0,
      );
      const label = await page.locator('[data-testid="chart-loss"] [data-testid="overlay-line"]').first().getAttribute('data-overlay-label');
      // A second race, then a reload in the middle of it, with no Reset: the page keeps it on pagehide.
      await trainSome(page, log, 4);
      await page.reload();
      await waitReady(page, log);
      await waitFor(page, log, 'the race in flight was lost by the reload', async () => (await historyItems(page)) === 2);
      const kept = await page.locator('[data-testid="history-item"]').allTextContents();
      check(kept.some((t) => /kept when the page was left/.test(t)), `no race marked as kept when the page was left: ${JSON.stringify(kept)}`);
      return `history kept across a reload; overlay line "${label}"; the race in flight at a reload kept too`;
    },
  },
  {
    id: 17,
    name: 'repeat with seeds 1..2 under an epoch budget: both races finish, fill the history and draw a band on the loss chart',
    timeout: 240_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query({ ...SMALL, budgetUnit: 'epochs', budget: 1 }));
      await waitReady(page, log);
      await page.locator('[data-testid="repeat-seeds"]').fill('2');
      await click(page, 'repeat-start');
      await waitFor(page, log, 'the repeat did not start', async () => /seed 1/.test(await text(page, 'repeat-status')), 20_000);
      await waitFor(
        page,
        log,
        'the repeat did not finish two races',
        async () => (await historyItems(page)) === 2 && (await count(page, 'repeat-status')) === 0,
        180_000,
      );
      const items = await page.locator('[data-testid="history-item"]').allTextContents();
      check(items.every((t) => /budget reached/.test(t)), `not every repeated race reached its budget: ${JSON.stringify(items)}`);
      await waitFor(page, log, 'no band on the loss chart for the two seeds', async () =>
        (await page.locator('[data-testid="chart-loss"] [data-testid="overlay-band"]').count()) > 0,
      );
      return `2 seeds finished; band drawn (${await page.locator('[data-testid="chart-loss"] [data-testid="overlay-band"]').count()} on the loss chart)`;
    },
  },
  {
    id: 18,
    name: 'a corrupt entry planted in the IndexedDB history shows a notice, and the page still trains',
    timeout: 180_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query(SMALL));
      await waitReady(page, log);
      await page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const req = indexedDB.open('is-playground');
            req.onsuccess = () => {
              const tx = req.result.transaction('runs', 'readwrite');
              tx.objectStore('runs').put({ version: 1, id: 'planted', savedAt: 1, settings: { batchSize: 'many' }, runs: 7 }, 'planted');
              tx.oncomplete = () => {
                req.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
            req.onerror = () => reject(req.error);
          }),
      );
      await page.reload();
      await waitReady(page, log);
      await waitFor(page, log, 'no notice for the corrupt history entry', async () => (await count(page, 'history-skipped')) > 0);
      const notice = await text(page, 'history-skipped');
      await trainSome(page, log, 4);
      check(!log.pageErrors.length, `page errors: ${log.pageErrors.join(' | ')}`);
      return `notice: "${notice.slice(0, 120)}"`;
    },
  },
  {
    id: 19,
    name: 'keyboard: Space starts and pauses, S steps, 1/2/3 set the mode, R resets, ? lists the keys',
    timeout: 180_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query(SMALL));
      await waitReady(page, log);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Space');
      await waitFor(page, log, 'Space did not start training', async () => (await steps(page)).importance >= 4);
      await page.keyboard.press('Space');
      // Paused: Start is enabled again (the step counters lag the engine by a status message).
      await waitFor(page, log, 'Space did not pause', async () => page.locator('[data-testid="start-button"]').isEnabled(), 20_000);
      const before = await settledSteps(page, log);
      await page.keyboard.press('s');
      await waitFor(page, log, 'S did not step', async () => (await steps(page)).importance > before, 20_000);
      const after = await settledSteps(page, log);
      check(after === before + 1, `S stepped from ${before} to ${after}, not one step`);
      for (const [key, mode] of [['1', 'uniform'], ['2', 'importance'], ['3', 'auto']]) {
        await page.keyboard.press(key);
        await waitFor(page, log, `${key} did not set the mode ${mode}`, async () => (await page.locator(`[data-testid="mode-${mode}"]`).getAttribute('aria-pressed')) === 'true', 10_000);
      }
      await page.keyboard.press('r');
      await waitFor(page, log, 'R did not reset', async () => (await steps(page)).importance === 0, 20_000);
      await waitFor(page, log, 'the reset race is not in the history', async () => (await historyItems(page)) === 1);
      await page.keyboard.press('?');
      await waitFor(page, log, '? did not open the list of keys', async () => (await count(page, 'shortcuts-help')) === 1, 5_000);
      const help = await text(page, 'shortcuts-help');
      check(['Space', 'S', 'R', '1', '2', '3'].every((k) => help.includes(k)), `the key list lacks a key: "${help}"`);
      return `paused at step ${before}, stepped to ${after}, modes and reset by key`;
    },
  },
];
