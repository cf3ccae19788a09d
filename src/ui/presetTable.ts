// One-click experiments. A preset is nothing but settings: the defaults with a few values
// changed, applied as one settings change, so it lands in the URL (the share link) like any
// other setting, and a link with a preset's settings shows that preset as chosen.
import { SETTING_KEYS, defaultSettings, type Settings } from '../contract/settings';

export interface Preset {
  /** Stable id, used in test hooks. */
  name: string;
  /** Short, for the button. */
  title: string;
  /** One paragraph: what the experiment is and what to watch. */
  explanation: string;
  /** The values that differ from the defaults. */
  settings: Partial<Settings>;
}

/** MNIST, the MLP, Adam and the score table from the first step: the base of three presets. */
const WHERE_IT_PAYS: Partial<Settings> = {
  dataset: 'mnist',
  trainCap: 8000,
  model: 'mlp',
  optimizer: 'adam',
  learningRate: 1e-3,
  batchSize: 64,
  sampler: 'table',
  mode: 'importance',
  tableSmoothing: 0.2,
};

/**
 * Settings that say how long, when and on what device the user trains, not what the experiment
 * is: a preset leaves them as they are (a budget set for a repeat survives picking a preset; a
 * link that forces ?backend=wasm keeps it, and still shows its preset as chosen).
 */
const USERS_OWN: ReadonlySet<keyof Settings> = new Set(['budgetUnit', 'budget', 'trainWhenHidden', 'backend']);

export const PRESETS: readonly Preset[] = [
  {
    name: 'where-it-pays',
    title: 'Where it pays',
    explanation:
      'MNIST with a small MLP, Adam, b = 64, and the score table: every sample keeps the score of its last forward ' +
      'pass, so importance sampling costs no extra pass. Importance sampling is on from the first step, with ' +
      'table smoothing c = 0.2. Watch the loss curves split after a few epochs: on this setup (in auto mode, which switches ' +
      'on after a hundred or so steps) the project measured 2.0× lower training loss than uniform sampling at equal time after 10 epochs (3 seeds; 1.3× after 5). The ' +
      'readout beside the loss chart gives the ratio as it happens; set a budget of 10 epochs to stop both runs there.',
    settings: WHERE_IT_PAYS,
  },
  {
    name: 'papers-method',
    title: 'The paper’s method',
    explanation:
      'Algorithm 1 of Katharopoulos & Fleuret on a small CNN (cnn-tiny, MNIST): each importance step presamples ' +
      'B = 3b = 192 images, scores them with the upper bound ‖softmax(z) − y‖ in one forward pass, and trains on ' +
      'b = 64 drawn by score; SGD with momentum 0.9, learning rate 0.05. In auto mode the run starts uniform and ' +
      'switches importance sampling on only once τ climbs above τ_th, here measured on your device as the cost of a ' +
      'presampled step over a uniform one (about 1.2 on WebAssembly, where the paper’s cost model (B + 3b) / 3b says 2): ' +
      'watch the τ chart for the first shaded stretch, then the loss curves part. On WebAssembly the project measured ' +
      '20× lower training loss than uniform at equal time after 10 epochs (3 seeds; 1.86× with Adam; test error level), ' +
      'where the same method on an MLP does not pay. On the plain CPU backend a CNN step takes seconds.',
    settings: {
      dataset: 'mnist',
      trainCap: 8000,
      model: 'cnn-tiny',
      sampler: 'presample',
      mode: 'auto',
      tauThresholdMode: 'measured',
      score: 'upperBound',
      optimizer: 'sgd',
      momentum: 0.9,
      learningRate: 0.05,
      batchSize: 64,
      presampleFactor: 3,
    },
  },
  {
    name: 'where-it-fails',
    title: 'Where it fails',
    explanation:
      '“Where it pays”, with 20 % of the training labels flipped to a wrong class. A wrongly labelled image never ' +
      'becomes easy, so its score stays high and importance sampling chases it: the noisy-label chart shows the ' +
      'share of flipped labels in each run’s batches against the 20 % in the data; uniform batches hold about 20 %, ' +
      'the importance run’s climb above it. Then watch whether the advantage of “Where it pays” survives, in the ' +
      'loss and in the held-out accuracy: effort spent on labels that cannot be learned is lost.',
    settings: {
      ...WHERE_IT_PAYS,
      labelNoise: 0.2,
    },
  },
  {
    name: 'imbalanced',
    title: 'Imbalanced classes',
    explanation:
      'Only 10 % of the digit 3s are kept, so 3 is about 1 % of the training set instead of 10 %. Uniform batches ' +
      'follow that: in the class-share chart its bar for 3 stays near 1 %. The model learns the rare class last and ' +
      'gets it wrong longest, so importance sampling draws 3s well above their share (and weights them down to keep ' +
      'the gradient unbiased): look for its bar for 3 standing taller than uniform’s, and shrinking as the class is ' +
      'learned.',
    settings: {
      ...WHERE_IT_PAYS,
      imbalanceClass: 3,
      imbalanceFraction: 0.1,
    },
  },
];

/** The complete settings of a preset: the defaults with its values. */
export function presetSettings(preset: Preset): Settings {
  return { ...defaultSettings(), ...preset.settings };
}

/** The one change that turns `current` into the preset's settings (empty when already there). */
export function presetChange(current: Settings, preset: Preset): Partial<Settings> {
  const target = presetSettings(preset);
  const change: Partial<Settings> = {};
  const writable = change as Record<keyof Settings, unknown>;
  for (const key of SETTING_KEYS) if (!USERS_OWN.has(key) && current[key] !== target[key]) writable[key] = target[key];
  return change;
}

/** The preset whose settings are exactly `current`, or null. */
export function matchingPreset(current: Settings): Preset | null {
  return PRESETS.find((p) => Object.keys(presetChange(current, p)).length === 0) ?? null;
}
