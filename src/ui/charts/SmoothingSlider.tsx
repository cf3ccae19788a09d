// The smoothing slider of the loss and τ charts, as TensorBoard has it: the weight of an
// exponential moving average (smoothing.ts) from 0 (the raw points) to MAX_SMOOTHING. The page
// places one and hands its value to both charts, which then draw the smoothed curve over the
// raw one, faint.
import { useId } from 'react';
import { formatNumber } from './common';
import { MAX_SMOOTHING } from './smoothing';

export interface SmoothingSliderProps {
  /** The EMA weight, 0 … MAX_SMOOTHING. */
  value: number;
  onChange: (weight: number) => void;
}

export function SmoothingSlider({ value, onChange }: SmoothingSliderProps) {
  const id = useId();
  return (
    <span className="tool smoothing-slider">
      <label htmlFor={id}>Smoothing</label>
      <input
        id={id}
        type="range"
        min={0}
        max={MAX_SMOOTHING}
        step={0.01}
        value={value}
        onChange={(e) => {
          const v = Number(e.target.value);
          // A range input only yields values in its range; clamp anyway, emaSmooth refuses others.
          onChange(Number.isFinite(v) ? Math.min(MAX_SMOOTHING, Math.max(0, v)) : 0);
        }}
        data-testid="smoothing-slider"
        title="Exponential moving average of the loss and τ curves (0 = raw points); the raw points stay drawn faint"
      />
      <output htmlFor={id} className="smoothing-value">
        {value > 0 ? formatNumber(value, 2) : 'off'}
      </output>
    </span>
  );
}
