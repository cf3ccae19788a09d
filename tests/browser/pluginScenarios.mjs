// Browser scenario of the sampler plug-in route (docs/architecture.md, "Where to add: a
// sampler"): a sampler added as a folder plus one line in each list reaches, in the built app,
// the URL, the controls, the worker and its trainer. The app is built from a temporary copy of
// the tree with the fixture sampler of tests/browser/fixtures/fixture-tau/ added
// (pluginBuild.mjs), served on a server of its own; the fixture reports τ = its own setting, so
// every step point says which value the worker's trainer had.
import { readFile } from 'node:fs/promises';
import { TINY, check, click, describe, poll, query, setSetting, settingValues, steps, text, visible, waitReady } from './lib.mjs';
import { FIXTURE_SAMPLER, buildWithFixtureSampler } from './pluginBuild.mjs';

/** The importance run's step points from the page's JSON export. */
async function importanceSteps(page) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click(page, 'export-json')]);
  const json = JSON.parse(await readFile(await dl.path(), 'utf8'));
  return json.runs?.importance?.steps ?? [];
}

/** Start, until both runs are `more` steps further, then Pause and let the counts settle. */
async function trainFor(page, log, more) {
  const from = await steps(page);
  await click(page, 'start-button');
  await poll(
    async () => {
      const s = await steps(page);
      return s.importance >= (from.importance ?? 0) + more && s.uniform >= (from.uniform ?? 0) + more;
    },
    { timeout: 120_000, interval: 250, message: async () => `the runs did not advance by ${more} steps: ${await describe(page, log)}` },
  );
  await click(page, 'pause-button');
  await poll(async () => (await text(page, 'start-button')) !== 'Starting…' && (await page.locator('[data-testid="start-button"]').isEnabled()), {
    timeout: 30_000,
    message: async () => `the page did not pause: ${await describe(page, log)}`,
  });
}

export const pluginScenarios = [
  {
    id: 22,
    name: 'a sampler added as a folder (+ one line per list) reaches the URL, the controls, the worker and its trainer in the built app',
    timeout: 420_000,
    async run(ctx) {
      const { name, setting } = FIXTURE_SAMPLER;
      const built = await buildWithFixtureSampler();
      try {
        const server = await ctx.startServer({ root: built.dist });
        const { page, log } = await ctx.open();
        await page.goto(server.url + query({ ...TINY, backend: 'cpu', mode: 'importance', sampler: name, [setting]: 3.5 }));
        await waitReady(page, log);
        // The URL: accepted as it stands (no notice) and kept in the address bar.
        const notice = (await visible(page, 'url-notice')) ? await text(page, 'url-notice') : '';
        check(!notice.includes(setting) && !notice.includes('sampler'), `the link's sampler settings were refused: "${notice}"`);
        check(new URL(page.url()).searchParams.get(setting) === '3.5', `the address bar lost ${setting}=3.5: ${page.url()}`);
        // The controls: the sampler in the menu, its own setting as a labelled field with the link's value.
        const values = await settingValues(page);
        check(values.sampler === name, `setting-sampler shows "${values.sampler}", expected "${name}"`);
        check(values[setting] === '3.5', `setting-${setting} shows "${values[setting]}", expected "3.5" (controls: ${JSON.stringify(values)})`);
        const label = await page.locator(`label[for="${await page.locator(`[data-testid="setting-${setting}"]`).getAttribute('id')}"]`).textContent();
        check(/Reported τ \(fixture\)/.test(label ?? ''), `the ${setting} field's label is "${label}", expected its meta's "Reported τ (fixture)"`);

        // The worker's trainer: every importance step drew with the fixture and reported τ = 3.5.
        await trainFor(page, log, 4);
        const first = await importanceSteps(page);
        check(first.length >= 4, `the export holds ${first.length} importance steps, expected at least 4`);
        const wrong = first.filter((p) => p.sampler !== name || p.tauRaw !== 3.5 || !p.importanceActive);
        check(wrong.length === 0, `step points not from the fixture with τ = 3.5: ${JSON.stringify(wrong.slice(0, 3))}`);

        // A live change through its control reaches the trainer from the next block, and the URL.
        await setSetting(page, setting, 2);
        await poll(async () => new URL(page.url()).searchParams.get(setting) === '2', {
          timeout: 10_000,
          message: () => `the address bar did not follow the control to ${setting}=2: ${page.url()}`,
        });
        await trainFor(page, log, 4);
        const all = await importanceSteps(page);
        const taus = all.map((p) => p.tauRaw);
        const switchAt = taus.indexOf(2);
        check(switchAt > 0 && taus.slice(0, switchAt).every((t) => t === 3.5) && taus.slice(switchAt).every((t) => t === 2), `τ of the steps ${JSON.stringify(taus)}: expected 3.5 until the change, then 2`);
        check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
        await page.context().close();
        return `${all.length} importance steps: τ 3.5 for ${switchAt}, then 2 after the control changed it`;
      } finally {
        await built.cleanup();
      }
    },
  },
];
