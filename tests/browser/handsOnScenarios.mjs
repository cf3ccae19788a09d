// Browser scenarios of what a person tries after the race (issue 23): the page on a phone, a
// digit drawn with the mouse or a finger and both runs' answers, each run's first layer as
// images, and a trained model kept in TensorFlow.js's format and loaded back.
import { readFile } from 'node:fs/promises';
import { TINY, check, click, describe, poll, query, setSetting, sleep, steps, text, tid, visible, waitReady } from './lib.mjs';

const FIRST_STEP_TIMEOUT = 120_000; // dataset + first step incl. shader compilation on SwiftShader
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
/** MNIST, small: drawing is offered where the images are MNIST's digits. */
const MNIST_SMALL = { dataset: 'mnist', model: 'mlp', batchSize: 8, trainCap: 512, evalSize: 32, evalInterval: 2 };

/** Elements wider than the viewport, and the document's overflow, at the current size. */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && getComputedStyle(el).position !== 'fixed') {
        offenders.push(`${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}.${String(el.className?.baseVal ?? el.className).slice(0, 40)} ${Math.round(box.left)}…${Math.round(box.right)}`);
      }
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, offenders: offenders.slice(0, 8) };
  });
}

async function expectNoSidewaysScroll(page, label) {
  const o = await overflow(page);
  check(o.scrollWidth <= o.width && o.offenders.length === 0, `${label}: the page is ${o.scrollWidth} px wide in a ${o.width} px viewport; past the edge: ${o.offenders.join('; ')}`);
  return o;
}

/** Visible controls smaller than `min` px on their short side (a checkbox counts by its label's row). */
function smallTargets(page, min) {
  return page.evaluate((least) => {
    const small = [];
    for (const el of document.querySelectorAll('button, select, input, a[href]')) {
      if (el.closest('[aria-hidden="true"]')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      // A checkbox is touched through its label (around it, or beside it by id).
      const box0 = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
      const target = box0 ? (el.closest('label') ?? (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null) ?? el) : el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (el.classList.contains('drawer-backdrop')) continue;
      if (box.height < least - 0.5) small.push(`${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 20)}] ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return small;
  }, min);
}

/** The top and bottom of a test id's element in page coordinates. */
function pageBox(page, id) {
  return page.evaluate((testId) => {
    const el = document.querySelector(`[data-testid="${testId}"]`);
    if (!el) return null;
    const b = el.getBoundingClientRect();
    return { top: b.top + window.scrollY, bottom: b.bottom + window.scrollY };
  }, id);
}

/** Both runs' probabilities and steps as the page shows them (null while waiting). */
async function shownProbabilities(page) {
  const el = page.locator(tid('probabilities')).first();
  const attr = (n) => el.getAttribute(n, { timeout: 2000 }).catch(() => null);
  const parse = (s) => (s ? s.split(',').map(Number) : null);
  return {
    importance: parse(await attr('data-probs-importance')),
    uniform: parse(await attr('data-probs-uniform')),
    stepImportance: Number(await attr('data-step-importance')),
    stepUniform: Number(await attr('data-step-uniform')),
  };
}

const sum = (a) => a.reduce((s, v) => s + v, 0);
const maxDiff = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** A stroke with the mouse through `points` (fractions of the drawing canvas). */
async function mouseStroke(page, points) {
  const canvas = page.locator(tid('draw-canvas')).first();
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
  await page.mouse.up();
}

/** A stroke with one finger (CDP touch events: the page sees pointerType "touch"). */
async function touchStroke(page, points) {
  const canvas = page.locator(tid('draw-canvas')).first();
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = ([fx, fy]) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] });
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    for (let k = 1; k <= 6; k++) {
      const f = k / 6;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])])] });
    }
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** Pixels of a canvas: how many are not transparent, and the RGBA bytes. */
function canvasPixels(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!(c instanceof HTMLCanvasElement)) return null;
    const data = c.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return { width: c.width, height: c.height, inked, bytes: Array.from(data) };
  }, selector);
}

/** Waits until both runs' probabilities are shown and differ from `before` (JSON of the last ones). */
async function newAnswers(page, log, before, what) {
  let now = null;
  await poll(
    async () => {
      now = await shownProbabilities(page);
      return now.importance && now.uniform && JSON.stringify([now.importance, now.uniform]) !== before;
    },
    { timeout: 30_000, message: async () => `${what}: both runs' probabilities did not appear or change (${JSON.stringify(now)}): ${await describe(page, log)}` },
  );
  return now;
}

export const handsOnScenarios = [
  {
    id: 30,
    name: 'a phone (390 × 844, touch): no sideways scroll at 360-430 px, settings in a drawer, the loss chart within two screens after Start, 40 px touch targets, a digit drawn with a finger',
    timeout: 300_000,
    async run(ctx) {
      const { page, log } = await ctx.open({ contextOptions: PHONE });
      await page.goto(ctx.server.url + query({ ...MNIST_SMALL, mode: 'importance' }));
      await waitReady(page, log, { timeout: FIRST_STEP_TIMEOUT });
      await expectNoSidewaysScroll(page, 'at 390 px, loaded');
      // Settings fold away: the toggle opens them over the page, Done folds them again.
      check(!(await visible(page, 'setting-batchSize')), 'the settings are open on a phone before anyone asked for them');
      await page.locator(tid('settings-toggle')).first().tap();
      await poll(() => visible(page, 'setting-batchSize'), { timeout: 5000, message: 'Settings did not open the settings' });
      const drawer = await page.locator(tid('settings-panel')).first().boundingBox();
      check(drawer.x >= -0.5 && drawer.x + drawer.width <= 390.5, `the settings drawer spans ${drawer.x}…${drawer.x + drawer.width} px of a 390 px screen`);
      const smallInDrawer = await smallTargets(page, 40);
      check(smallInDrawer.length === 0, `touch targets under 40 px tall with the settings open: ${smallInDrawer.slice(0, 8).join('; ')}`);
      await page.locator(tid('settings-close')).first().tap();
      await poll(async () => !(await visible(page, 'setting-batchSize')), { timeout: 5000, message: 'Done did not fold the settings away' });
      const small = await smallTargets(page, 40);
      check(small.length === 0, `touch targets under 40 px tall: ${small.slice(0, 8).join('; ')}`);

      await page.locator(tid('start-button')).first().tap();
      await poll(
        async () => {
          const s = await steps(page);
          const loss = Number(await page.locator(tid('chart-loss')).first().getAttribute('data-points').catch(() => 0));
          return s.importance >= 4 && s.uniform >= 4 && loss > 0;
        },
        { timeout: FIRST_STEP_TIMEOUT, message: async () => `training did not draw the loss chart: ${await describe(page, log)}` },
      );
      const screen = await page.evaluate(() => window.innerHeight);
      const [controls, readout, loss] = [await pageBox(page, 'start-button'), await pageBox(page, 'readout'), await pageBox(page, 'chart-loss')];
      const plot = await page.evaluate(() => {
        const b = document.querySelector('[data-testid="chart-loss"] .chart-body').getBoundingClientRect();
        return { top: b.top + window.scrollY, bottom: b.bottom + window.scrollY };
      });
      check(controls.bottom < readout.top && readout.top < loss.top, `not run controls → readout → loss chart: controls ${controls.top}, readout ${readout.top}, loss ${loss.top}`);
      check(plot.bottom <= 2 * screen, `the loss chart's plot ends at ${Math.round(plot.bottom)} px, past two screens (${2 * screen} px)`);
      await expectNoSidewaysScroll(page, 'at 390 px, training');

      // A digit drawn with a finger: the stroke draws, the page does not pan under it (the canvas
      // stays put on the screen), and both runs answer. Paused, so no chart above it grows meanwhile.
      await page.locator(tid('pause-button')).first().tap();
      await sleep(800);
      const canvasTop = () => page.evaluate(() => document.querySelector('[data-testid="draw-canvas"]').getBoundingClientRect().top);
      await page.evaluate(() => document.querySelector('[data-testid="draw-canvas"]').scrollIntoView({ block: 'center' }));
      const topBefore = await canvasTop();
      await touchStroke(page, [
        [0.3, 0.25],
        [0.7, 0.25],
        [0.45, 0.8],
      ]);
      const topAfter = await canvasTop();
      check(Math.abs(topAfter - topBefore) < 2, `a finger stroke on the drawing panned the page by ${topBefore - topAfter} px`);
      const answers = await newAnswers(page, log, 'null', 'after a finger stroke');
      const preview = await canvasPixels(page, '[data-testid="drawn-digit"]');
      check(preview && preview.bytes.some((v, i) => i % 4 === 0 && v > 128), 'the 28 × 28 view of the drawing shows no ink');

      // Other phone widths, with the charts drawn.
      const widths = [];
      for (const [w, h] of [
        [360, 780],
        [430, 932],
      ]) {
        await page.setViewportSize({ width: w, height: h });
        await sleep(600);
        const o = await expectNoSidewaysScroll(page, `at ${w} px`);
        widths.push(`${w}: ${o.scrollWidth}`);
      }
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      return `no sideways scroll (page width at 390: 390, ${widths.join(', ')}); loss chart plot ${Math.round(plot.top)}-${Math.round(plot.bottom)} px of ${2 * screen}; finger digit → importance ${answers.importance.map((p) => p.toFixed(2)).join(' ')}`;
    },
  },
  {
    id: 31,
    name: 'draw a digit with the mouse: both runs answer with class probabilities, a second stroke changes both, and the answers follow the training',
    timeout: 300_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      // mode=importance: the runs' draws differ from the first step, so their answers do too.
      await page.goto(ctx.server.url + query({ ...MNIST_SMALL, mode: 'importance' }));
      await waitReady(page, log, { timeout: FIRST_STEP_TIMEOUT });
      check((await page.locator(tid('probabilities')).first().getAttribute('data-state')) === 'waiting', 'probabilities are shown before anything was drawn');
      check((await page.locator(tid('probe-source-draw')).first().getAttribute('aria-pressed')) === 'true', 'MNIST does not open on the drawing');
      await click(page, 'start-button');
      await poll(async () => (await steps(page)).importance >= 6, { timeout: FIRST_STEP_TIMEOUT, message: async () => `training did not start: ${await describe(page, log)}` });
      // A "1": one vertical stroke.
      await mouseStroke(page, [
        [0.5, 0.15],
        [0.5, 0.85],
      ]);
      const one = await newAnswers(page, log, 'null', 'after the first stroke');
      for (const id of ['importance', 'uniform']) check(Math.abs(sum(one[id]) - 1) < 1e-4 && one[id].length === 10, `${id}: ${one[id].length} probabilities summing to ${sum(one[id])}`);
      // A bar across it: a different picture, so both runs answer differently.
      await mouseStroke(page, [
        [0.2, 0.5],
        [0.8, 0.5],
      ]);
      const plus = await newAnswers(page, log, JSON.stringify([one.importance, one.uniform]), 'after the second stroke');
      check(maxDiff(plus.importance, one.importance) > 1e-4, 'the importance run gave the same answer for both pictures');
      check(maxDiff(plus.uniform, one.uniform) > 1e-4, 'the uniform run gave the same answer for both pictures');
      // As they train, the answers follow the models (later steps, other probabilities).
      let later = null;
      await poll(
        async () => {
          later = await shownProbabilities(page);
          return later.stepImportance > plus.stepImportance + 2 && maxDiff(later.importance, plus.importance) > 1e-6;
        },
        { timeout: 60_000, message: async () => `the answers did not follow the training (${JSON.stringify(later)}): ${await describe(page, log)}` },
      );
      check(maxDiff(later.importance, later.uniform) > 1e-6, 'the two runs answer identically after training apart');
      await click(page, 'pause-button');
      const preview = await canvasPixels(page, '[data-testid="drawn-digit"]');
      const inked = preview.bytes.filter((v, i) => i % 4 === 0 && v > 0).length;
      check(inked > 20 && inked < 400, `the 28 × 28 view holds ${inked} inked pixels`);
      await click(page, 'draw-clear');
      await poll(async () => (await page.locator(tid('probabilities')).first().getAttribute('data-state')) === 'waiting', { timeout: 5000, message: 'Clear left the answers up' });
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      const top = (p) => p.indexOf(Math.max(...p));
      return `"1": importance says ${top(one.importance)} (${(100 * Math.max(...one.importance)).toFixed(0)} %), uniform ${top(one.uniform)}; "+": ${top(plus.importance)} / ${top(plus.uniform)}; at step ${later.stepImportance}: ${top(later.importance)} / ${top(later.uniform)}; ${inked} inked pixels of 784`;
    },
  },
  {
    id: 32,
    name: 'what each run learned: both models’ first layers drawn (their change since step 0 and their weights; MLP units, then a CNN’s filters), apart after training; a test image picked on the synthetic set',
    timeout: 300_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query({ ...TINY, mode: 'importance' }));
      await waitReady(page, log, { timeout: FIRST_STEP_TIMEOUT });
      // The synthetic set: no drawing, a test image with its class, answered by both runs.
      check((await page.locator(tid('probe-source-draw')).count()) === 0, 'drawing is offered on the synthetic set');
      // The card asks the engine only while it is on screen.
      check((await page.locator(tid('probabilities')).first().getAttribute('data-state')) === 'waiting', 'answers came for a card nobody can see');
      await page.locator(tid('try-models')).first().scrollIntoViewIfNeeded();
      const first = await newAnswers(page, log, 'null', 'test image 0');
      check(/Test image 0 · true class/.test(await text(page, 'test-image-caption')), `caption "${await text(page, 'test-image-caption')}"`);
      check((await canvasPixels(page, '[data-testid="test-image"]')).bytes.some((v, i) => i % 4 === 0 && v > 0), 'test image 0 is not drawn');
      await click(page, 'test-next');
      await newAnswers(page, log, JSON.stringify([first.importance, first.uniform]), 'test image 1');
      check(/Test image 1 · true class/.test(await text(page, 'test-image-caption')), `caption "${await text(page, 'test-image-caption')}"`);

      const layer = page.locator(tid('first-layer')).first();
      await layer.scrollIntoViewIfNeeded();
      const grid = (id) => canvasPixels(page, `[data-testid="first-layer-${id}"] canvas`);
      const attrs = (id) => page.locator(tid(`first-layer-${id}`)).first().evaluate((el) => ({ ...el.dataset }));
      await poll(async () => (await attrs('importance')).state === 'shown' && (await attrs('uniform')).state === 'shown', {
        timeout: 30_000,
        message: async () => `the first layers were not drawn: ${JSON.stringify([await attrs('importance'), await attrs('uniform')])}`,
      });
      const at0 = [await grid('importance'), await grid('uniform')];
      const a0 = await attrs('importance');
      check(a0.kind === 'dense' && a0.view === 'change' && a0.shown === '16' && a0.units === '128', `MLP first layer: ${JSON.stringify(a0)}`);
      // 16 maps of 28 × 28 in a 4 × 4 grid, one transparent pixel between maps.
      check(at0[0].width === 4 * 29 - 1 && at0[0].height === 4 * 29 - 1, `grid canvas ${at0[0].width}×${at0[0].height}`);
      check(a0.step === '0' && at0[0].inked === 0 && at0[1].inked === 0, `at step 0 nothing has changed yet, but ${at0[0].inked} and ${at0[1].inked} pixels show a change`);
      await click(page, 'start-button');
      // The weights are read while their card is on screen (clicking Start scrolled to the button).
      await layer.scrollIntoViewIfNeeded();
      await poll(async () => Number((await attrs('importance')).step) >= 20 && Number((await attrs('uniform')).step) >= 20, {
        timeout: FIRST_STEP_TIMEOUT,
        message: async () => `the first layers did not refresh with training: ${JSON.stringify(await attrs('importance'))}: ${await describe(page, log)}`,
      });
      const trained = [await grid('importance'), await grid('uniform')];
      const trainedStep = (await attrs('importance')).step;
      check(trained[0].inked > 1000 && trained[1].inked > 1000, `after training only ${trained[0].inked} and ${trained[1].inked} pixels show a change`);
      const apart = trained[0].bytes.reduce((n, v, i) => n + (v !== trained[1].bytes[i] ? 1 : 0), 0);
      check(apart > 0, 'after training apart the two runs’ first layers changed alike');
      await click(page, 'pause-button');
      // The weights themselves: identical at step 0 (the same initial weights), now apart.
      await click(page, 'first-layer-view-weights');
      await layer.scrollIntoViewIfNeeded();
      await poll(async () => (await attrs('importance')).view === 'weights', { timeout: 30_000, message: async () => `the weights view did not come: ${JSON.stringify(await attrs('importance'))}` });
      const weights = await grid('importance');
      check(weights.inked > 10 * 784, `the weights view shows only ${weights.inked} weights`);

      // A CNN: its first convolution's 8 filters of 3 × 3.
      await setSetting(page, 'model', 'cnn-tiny');
      await layer.scrollIntoViewIfNeeded();
      await poll(async () => (await attrs('importance')).kind === 'conv', {
        timeout: FIRST_STEP_TIMEOUT,
        message: async () => `the first layer did not become the CNN's filters: ${JSON.stringify(await attrs('importance'))}: ${await describe(page, log)}`,
      });
      const conv = await attrs('importance');
      const convGrid = await grid('importance');
      check(conv.shown === '8' && conv.units === '8', `CNN first layer: ${JSON.stringify(conv)}`);
      check(convGrid.width === 4 * 4 - 1 && convGrid.height === 2 * 4 - 1 && convGrid.inked > 20, `CNN grid ${convGrid.width}×${convGrid.height}, ${convGrid.inked} visible`);
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      return `test images 0 and 1 answered by both runs; MLP grid ${at0[0].width}×${at0[0].height} (16 of 128 units): no change at step 0, ${trained[0].inked}/${trained[1].inked} changed pixels at step ${trainedStep}, ${apart} bytes apart; weights view ${weights.inked} visible; CNN ${conv.shown} filters, grid ${convGrid.width}×${convGrid.height}`;
    },
  },
  {
    id: 33,
    name: 'keep a model: both files download, model.json names the weights file and holds settings, step and evaluation, and tf.loadLayersModel reads them back to the page’s answer',
    timeout: 300_000,
    async run(ctx) {
      const { page, log } = await ctx.open();
      await page.goto(ctx.server.url + query({ ...TINY, mode: 'importance' }));
      await waitReady(page, log, { timeout: FIRST_STEP_TIMEOUT });
      await click(page, 'start-button');
      await poll(async () => (await steps(page)).importance >= 6, { timeout: FIRST_STEP_TIMEOUT, message: async () => `training did not start: ${await describe(page, log)}` });
      await click(page, 'pause-button');
      // Paused: the page's answer for test image 0 (asked for once its card is on screen) is the model as it stands.
      await page.locator(tid('try-models')).first().scrollIntoViewIfNeeded();
      let shown = null;
      await poll(
        async () => {
          shown = await shownProbabilities(page);
          const s = await steps(page);
          return shown.importance && shown.stepImportance === s.importance;
        },
        { timeout: 30_000, message: async () => `the answer did not catch up with the paused model: ${JSON.stringify(shown)}, ${JSON.stringify(await steps(page))}` },
      );
      const downloads = [];
      page.on('download', (d) => downloads.push(d));
      await click(page, 'keep-model-importance');
      await poll(() => downloads.length >= 2, { timeout: 30_000, message: () => `${downloads.length} of 2 files downloaded` });
      const files = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), await readFile(await d.path())])));
      const jsonName = Object.keys(files).find((n) => n.endsWith('.json'));
      const binName = Object.keys(files).find((n) => n.endsWith('.weights.bin'));
      check(jsonName && binName, `downloaded ${Object.keys(files).join(', ')}; expected a .json and a .weights.bin`);
      const json = JSON.parse(files[jsonName].toString('utf8'));
      check(JSON.stringify(json.weightsManifest?.[0]?.paths) === JSON.stringify([`./${binName}`]), `model.json's manifest names ${JSON.stringify(json.weightsManifest?.[0]?.paths)}, the file is ${binName}`);
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      const floats = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
      check(files[binName].length === 4 * floats, `${binName} holds ${files[binName].length} bytes; the manifest's ${specs.length} float32 weights need ${4 * floats}`);
      const meta = json.userDefinedMetadata?.isPlayground;
      check(meta?.run === 'importance' && meta.step === shown.stepImportance, `metadata run ${meta?.run}, step ${meta?.step}; the page shows step ${shown.stepImportance}`);
      check(meta.settings?.dataset === 'synthetic-shapes' && meta.settings?.mode === 'importance' && meta.settings?.batchSize === TINY.batchSize, `metadata settings ${JSON.stringify(meta.settings).slice(0, 200)}`);
      check(meta.evaluation && Number.isFinite(meta.evaluation.trainLoss) && meta.evaluation.step <= meta.step, `metadata evaluation ${JSON.stringify(meta.evaluation)}`);
      // The worked example is the picture on the page: the same answer, from the same model.
      check(maxDiff(meta.check.probabilities, shown.importance) < 1e-6, `model.json's example answers ${meta.check.probabilities}, the page ${shown.importance}`);

      // Loaded back in Node as from the two files; the CPU backend here, the page's backend there.
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      const bin = files[binName];
      const model = await tf.loadLayersModel({
        load: () =>
          tf.io.getModelArtifactsForJSON(json, async (manifest) => {
            const paths = manifest.flatMap((g) => g.paths);
            if (paths.join() !== `./${binName}`) throw new Error(`manifest names ${paths}`);
            return [manifest.flatMap((g) => g.weights), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)];
          }),
      });
      const [h, w, c] = meta.dataset.imageShape;
      const probs = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(meta.check.input, [1, h, w, c]))));
      const reloaded = Array.from(await probs.data());
      probs.dispose();
      model.dispose();
      // Float32 on two backends (the page's and Node's CPU) differ in summation order: about 1e-6.
      check(maxDiff(reloaded, shown.importance) < 1e-4, `tf.loadLayersModel's answer ${reloaded.map((p) => p.toFixed(5))} differs from the page's ${shown.importance.map((p) => p.toFixed(5))}`);
      check((await text(page, 'kept-files')).includes(binName), 'the kept files are not listed for saving again');
      check(log.pageErrors.length === 0, `uncaught errors: ${log.pageErrors.slice(0, 3).join(' | ')}`);
      return `${jsonName} + ${binName} (${files[binName].length} B); step ${meta.step}, evaluation at ${meta.evaluation.step}; reloaded answer within ${maxDiff(reloaded, shown.importance).toExponential(1)} of the page's`;
    },
  },
];
