// The controls of the race itself: the importance mode as a prominent live toggle, and Start /
// Pause / Step / Reset (Start says "Starting…" while the engine holds it for a load).
import { useRef, type KeyboardEvent } from 'react';
import type { EngineState } from '../contract/protocol';
import { IMPORTANCE_MODES, type ImportanceMode } from '../contract/settings';
import { MODE_INFO } from '../is/catalogue';

// ---- mode toggle ----------------------------------------------------------------------------

export interface ModeToggleProps {
  value: ImportanceMode;
  onChange: (mode: ImportanceMode) => void;
  /** What the engine last reported, e.g. "importance · active". */
  engineMode: string;
}

export function ModeToggle({ value, onChange, engineMode }: ModeToggleProps) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>, i: number) => {
    const delta = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = (i + delta + IMPORTANCE_MODES.length) % IMPORTANCE_MODES.length;
    refs.current[next]?.focus();
    onChange(IMPORTANCE_MODES[next]);
  };
  return (
    <div className="mode-toggle-wrap">
      <div className="mode-label" id="mode-toggle-label">
        Importance sampling
        <span className="live-tag" title="Applies from the next step, without restarting">
          live
        </span>
      </div>
      <div
        className="mode-toggle"
        role="group"
        aria-labelledby="mode-toggle-label"
        data-testid="setting-mode"
        data-value={value}
      >
        {IMPORTANCE_MODES.map((m, i) => (
          <button
            key={m}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            className={`segment ${value === m ? 'on' : ''}`}
            aria-pressed={value === m}
            data-testid={`mode-${m}`}
            onClick={() => onChange(m)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            <span className="segment-title">{MODE_INFO[m].label}</span>
            <span className="segment-hint">{MODE_INFO[m].hint}</span>
          </button>
        ))}
      </div>
      <div className="engine-mode">
        Engine reports: <strong data-testid="engine-mode">{engineMode}</strong>
      </div>
    </div>
  );
}

// ---- run buttons ------------------------------------------------------------------------------

export interface RunButtonsProps {
  state: EngineState | null;
  startPending: boolean;
  onStart: () => void;
  onPause: () => void;
  onStep: () => void;
  onReset: () => void;
}

export function RunButtons({ state, startPending, onStart, onPause, onStep, onReset }: RunButtonsProps) {
  const running = state === 'running';
  const canStep = state === 'ready' || state === 'paused';
  const started = state === 'paused';
  return (
    <div className="run-buttons" role="group" aria-label="Training">
      <button
        type="button"
        className="primary"
        data-testid="start-button"
        onClick={onStart}
        disabled={running || startPending}
      >
        {startPending ? 'Starting…' : started ? 'Resume' : 'Start'}
      </button>
      <button type="button" data-testid="pause-button" onClick={onPause} disabled={!running && !startPending}>
        Pause
      </button>
      <button type="button" data-testid="step-button" onClick={onStep} disabled={!canStep} title="One step of each run">
        Step
      </button>
      <button
        type="button"
        data-testid="reset-button"
        onClick={onReset}
        disabled={state === null || state === 'loading' || state === 'idle'}
        title="Back to step 0: same seed, same initial weights"
      >
        Reset
      </button>
    </div>
  );
}
