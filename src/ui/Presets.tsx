// One button per preset (presets.ts). A click applies the preset as one settings change, the
// way any control does: live values apply from the next step, the others restart both runs
// (the engine says so in a notice), and the URL follows. The preset the settings match is
// pressed, and its explanation says what to watch.
import { useState } from 'react';
import type { Settings } from '../contract/settings';
import type { SettingsChangeHandler } from './Controls';
import { PRESETS, matchingPreset, presetChange } from './presetTable';

export interface PresetsProps {
  settings: Settings;
  onChange: SettingsChangeHandler;
}

export function Presets({ settings, onChange }: PresetsProps) {
  const [error, setError] = useState<string | null>(null);
  const chosen = matchingPreset(settings);
  return (
    <section className="presets" aria-labelledby="presets-title" data-testid="presets" data-chosen={chosen?.name ?? ''}>
      <h2 id="presets-title" className="presets-title">
        Presets
      </h2>
      <div className="preset-buttons" role="group" aria-labelledby="presets-title">
        {PRESETS.map((p) => (
          <button
            key={p.name}
            type="button"
            className={`preset ${chosen === p ? 'on' : ''}`}
            aria-pressed={chosen === p}
            data-testid={`preset-${p.name}`}
            onClick={() => {
              const change = presetChange(settings, p);
              const errors = Object.keys(change).length ? onChange(change) : [];
              setError(errors.length ? errors.join('; ') : null);
            }}
          >
            {p.title}
          </button>
        ))}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="preset-explanation" data-testid="preset-explanation">
        {chosen
          ? chosen.explanation
          : 'Each preset is a set of settings, written to the link like any other; changing a setting marked “restarts” restarts both runs.'}
      </p>
    </section>
  );
}
