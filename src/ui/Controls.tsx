// Every setting of SETTINGS_SCHEMA as a labelled, keyboard-reachable control, in groups (the
// samplers' own settings from their meta.ts included). The mode toggle and the run buttons are
// RunControls.tsx.
import { useEffect, useId, useRef, useState } from 'react';
import {
  SAMPLER_SETTING_KEYS,
  SETTINGS_SCHEMA,
  checkSettingValue,
  type Settings,
} from '../contract/settings';
import { DATASET_CATALOGUE } from '../data/catalogue';
import { MODEL_CATALOGUE } from '../models/catalogue';
import { costModelTauThreshold, describeChoice, presampleSize } from '../is/catalogue';

/** Applies a change; returns the reasons it was refused (empty when applied). */
export type SettingsChangeHandler = (change: Partial<Settings>) => string[];

const titles = (entries: Record<string, { title: string }>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).map(([name, e]) => [name, e.title]));

const OPTION_LABELS: Record<string, string> = {
  ...titles(DATASET_CATALOGUE),
  ...titles(MODEL_CATALOGUE),
  costModel: 'Cost model (B + 3b) / 3b',
  measured: 'Measured on this device',
  fixed: 'Fixed number',
  off: 'None (train until paused)',
  seconds: 'Seconds of own clock',
  epochs: 'Epochs',
};

// ---- settings fields ------------------------------------------------------------------------

function FieldLabel({ k, htmlFor }: { k: keyof Settings; htmlFor: string }) {
  const field = SETTINGS_SCHEMA[k];
  // A sampler's own settings explain themselves (their meta.ts's help) on hover.
  const help = field.kind === 'number' ? field.help : undefined;
  return (
    <label htmlFor={htmlFor} title={help}>
      {field.label}
      {field.live ? null : (
        <span className="restart-tag" title="Changing this restarts both runs">
          restarts
        </span>
      )}
    </label>
  );
}

function EnumField({ k, value, onChange }: { k: keyof Settings; value: string; onChange: SettingsChangeHandler }) {
  const id = useId();
  const field = SETTINGS_SCHEMA[k];
  const [error, setError] = useState<string | null>(null);
  if (field.kind !== 'enum') return null;
  return (
    <div className="field">
      <FieldLabel k={k} htmlFor={id} />
      <select
        id={id}
        value={value}
        data-testid={`setting-${k}`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const errors = onChange({ [k]: e.target.value } as Partial<Settings>);
          setError(errors.length ? errors.join('; ') : null);
        }}
      >
        {field.values.map((v) => {
          // Sampler, score, mode and optimizer names are the library's, with its labels.
          const described = describeChoice(k, v);
          return (
            <option key={v} value={v} title={described?.description}>
              {described?.label ?? OPTION_LABELS[v] ?? v}
            </option>
          );
        })}
      </select>
      {error ? <span className="field-error" role="alert">{error}</span> : null}
    </div>
  );
}

function BooleanField({ k, value, onChange }: { k: keyof Settings; value: boolean; onChange: SettingsChangeHandler }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input
        id={id}
        type="checkbox"
        checked={value}
        data-testid={`setting-${k}`}
        onChange={(e) => onChange({ [k]: e.target.checked } as Partial<Settings>)}
      />
      <FieldLabel k={k} htmlFor={id} />
    </div>
  );
}

/** Milliseconds of typing pause before a valid number applies (longer where it restarts the runs). */
const DEBOUNCE_LIVE_MS = 350;
const DEBOUNCE_RESTART_MS = 900;

export function NumberField({
  k,
  value,
  onChange,
  hint,
}: {
  k: keyof Settings;
  value: number;
  onChange: SettingsChangeHandler;
  hint?: string;
}) {
  const id = useId();
  const field = SETTINGS_SCHEMA[k];
  const [draft, setDraft] = useState(String(value));
  const [shown, setShown] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The value changed from outside (URL, reset to defaults): show it.
  if (shown !== value) {
    setShown(value);
    setDraft(String(value));
    setError(null);
  }

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  if (field.kind !== 'number') return null;

  const validate = (text: string): { value?: number; error: string | null } => {
    const t = text.trim();
    if (t === '') return { error: `${field.label} is required` };
    const n = Number(t);
    const problem = checkSettingValue(k, n);
    return problem ? { error: problem } : { value: n, error: null };
  };

  const commit = (text: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const v = validate(text);
    if (v.value === undefined) return false;
    if (v.value === value) return true;
    const errors = onChange({ [k]: v.value } as Partial<Settings>);
    setError(errors.length ? errors.join('; ') : null);
    return errors.length === 0;
  };

  const step = field.integer ? 1 : 'any';
  return (
    <div className="field">
      <FieldLabel k={k} htmlFor={id} />
      <input
        id={id}
        type="number"
        inputMode={field.integer ? 'numeric' : 'decimal'}
        min={field.min}
        max={field.max}
        step={step}
        value={draft}
        data-testid={`setting-${k}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const v = validate(text);
          setError(v.error);
          if (timer.current) clearTimeout(timer.current);
          if (v.value !== undefined) {
            timer.current = setTimeout(() => commit(text), field.live ? DEBOUNCE_LIVE_MS : DEBOUNCE_RESTART_MS);
          }
        }}
        onBlur={(e) => {
          if (!commit(e.target.value)) {
            // Leave no half-typed invalid value behind: back to the value in force.
            setDraft(String(value));
            setError(null);
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit((e.target as HTMLInputElement).value);
          if (e.key === 'Escape') {
            if (timer.current) clearTimeout(timer.current);
            setDraft(String(value));
            setError(null);
          }
        }}
      />
      {error ? (
        <span className="field-error" id={`${id}-err`} role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function SettingField({
  k,
  settings,
  onChange,
  hint,
}: {
  k: keyof Settings;
  settings: Settings;
  onChange: SettingsChangeHandler;
  hint?: string;
}) {
  const field = SETTINGS_SCHEMA[k];
  const value = settings[k];
  switch (field.kind) {
    case 'enum':
      return <EnumField k={k} value={String(value)} onChange={onChange} />;
    case 'boolean':
      return <BooleanField k={k} value={Boolean(value)} onChange={onChange} />;
    case 'number':
      return <NumberField k={k} value={Number(value)} onChange={onChange} hint={hint} />;
  }
}

// ---- the settings panel -------------------------------------------------------------------

const GROUPS: { title: string; keys: (keyof Settings)[] }[] = [
  { title: 'Data', keys: ['dataset', 'trainCap', 'labelNoise', 'imbalanceClass', 'imbalanceFraction'] },
  { title: 'Model and optimizer', keys: ['model', 'optimizer', 'learningRate', 'momentum'] },
  {
    title: 'Importance sampling',
    // Then each sampler's own settings (from its meta.ts), in the order of the sampler list.
    keys: ['batchSize', 'presampleFactor', 'sampler', 'score', 'tauThresholdMode', 'tauThreshold', ...SAMPLER_SETTING_KEYS],
  },
  {
    title: 'Run',
    keys: [
      'seed',
      'compare',
      'budgetUnit',
      'budget',
      'backend',
      'evalInterval',
      'evalSize',
      'blockSteps',
      'varianceLabInterval',
      'trainWhenHidden',
    ],
  },
];

/** Every key of the schema except the mode (the toggle) is in exactly one group. */
export const PANEL_KEYS: readonly (keyof Settings)[] = GROUPS.flatMap((g) => g.keys);

export interface SettingsPanelProps {
  settings: Settings;
  onChange: SettingsChangeHandler;
  /** The τ_th the engine uses now (to show next to the τ_th mode). */
  tauThresholdInForce?: number | null;
  /** Disabled while the engine is loading. */
  disabled?: boolean;
}

export function SettingsPanel({ settings, onChange, tauThresholdInForce, disabled }: SettingsPanelProps) {
  const B = presampleSize(settings);
  const costModel = costModelTauThreshold(settings.sampler, settings);
  const hints: Partial<Record<keyof Settings, string>> = {
    presampleFactor: `B = ${B} samples scored per step`,
    tauThreshold:
      settings.tauThresholdMode === 'fixed'
        ? 'In force now'
        : `Used when τ threshold is “Fixed number”; now ${
            tauThresholdInForce != null && Number.isFinite(tauThresholdInForce)
              ? tauThresholdInForce.toFixed(2)
              : costModel.toFixed(2)
          }`,
    momentum: settings.optimizer === 'sgd' ? undefined : 'Used by SGD only',
    seed: 'Same seed and settings: same run',
    labelNoise: 'Fraction 0 – 0.9',
  };
  return (
    <form className="settings" onSubmit={(e) => e.preventDefault()} aria-label="Experiment settings">
      <fieldset disabled={disabled} className="settings-inner">
        {GROUPS.map((g) => (
          <fieldset key={g.title} className="group">
            <legend>{g.title}</legend>
            {g.keys.map((k) => (
              <SettingField key={k} k={k} settings={settings} onChange={onChange} hint={hints[k]} />
            ))}
            {g.title === 'Run' ? (
              <button
                type="button"
                className="link-button"
                onClick={() => onChange({ seed: Math.floor(Math.random() * 2 ** 31) })}
                data-testid="new-seed"
              >
                New random seed
              </button>
            ) : null}
          </fieldset>
        ))}
      </fieldset>
    </form>
  );
}
