// The samples the sampler weights most right now, drawn from their uint8 pixels on canvases,
// next to a few uniform picks for contrast.
import { memo, useEffect, useRef } from 'react';
import type { SampleView, SamplerSnapshot } from '../contract/protocol';
import { findSamplerInfo, type SamplerKind } from '../is/catalogue';
import { formatNumber } from './charts/common';
import { ExplainSampler } from './Explain';

/** Fills RGBA `out` from H·W·C uint8 `pixels` (C = 1 grey, 3 RGB, 4 RGBA). */
export function toRgba(pixels: ArrayLike<number>, width: number, height: number, out: Uint8ClampedArray): void {
  const n = width * height;
  const c = n > 0 ? Math.max(1, Math.round(pixels.length / n)) : 1;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (c >= 3) {
      out[o] = pixels[i * c] ?? 0;
      out[o + 1] = pixels[i * c + 1] ?? 0;
      out[o + 2] = pixels[i * c + 2] ?? 0;
    } else {
      const v = pixels[i * c] ?? 0;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
    out[o + 3] = 255;
  }
}

function SampleCanvas({ sample, width, height }: { sample: SampleView; width: number; height: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    let ctx: CanvasRenderingContext2D | null;
    try {
      ctx = canvas.getContext('2d');
    } catch {
      ctx = null;
    }
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    toRgba(sample.pixels, width, height, img.data);
    ctx.putImageData(img, 0, 0);
  }, [sample, width, height]);
  return <canvas ref={ref} width={width} height={height} className="sample-canvas" aria-hidden="true" />;
}

function SampleTile({
  sample,
  classNames,
  shape,
  showWeight,
}: {
  sample: SampleView;
  classNames: readonly string[];
  shape: readonly [number, number, number];
  showWeight: boolean;
}) {
  const label = classNames[sample.label] ?? String(sample.label);
  const description = `Sample ${sample.index}, label ${label}${showWeight ? `, weight ${formatNumber(sample.weight, 3)}` : ''}${
    sample.noisy ? ', label flipped by the noise setting' : ''
  }`;
  return (
    <li className={`sample ${sample.noisy ? 'noisy' : ''}`} title={description} aria-label={description}>
      <SampleCanvas sample={sample} width={shape[1]} height={shape[0]} />
      <span className="sample-label">{label}</span>
      <span className="sample-meta">
        {showWeight ? <>w {formatNumber(sample.weight, 2)}</> : <>s {formatNumber(sample.score, 2)}</>}
        {sample.noisy ? <span className="badge warn">flipped</span> : null}
      </span>
    </li>
  );
}

export interface SampleGridProps {
  snapshot: SamplerSnapshot | null;
  /** [H, W, C] of the dataset's images. */
  imageShape: readonly [number, number, number] | null;
  classNames: readonly string[];
  sampler: SamplerKind;
}

export const SampleGrid = memo(function SampleGrid({ snapshot, imageShape, classNames, sampler }: SampleGridProps) {
  const top = snapshot?.topSamples ?? [];
  const picks = snapshot?.uniformPicks ?? [];
  const shape = imageShape ?? [28, 28, 1];
  return (
    <section className="card sample-grid" data-testid="sample-grid" aria-labelledby="sample-grid-title">
      <header className="chart-head">
        <div className="chart-titles">
          <h3 id="sample-grid-title">What the sampler picks</h3>
          <p className="chart-sub">
            {findSamplerInfo(sampler)?.capabilities.keepsTable
              ? 'Highest scores in the score table (w = weight the sample gets when drawn)'
              : 'Most heavily weighted samples of recent presamples, with their weight w'}
          </p>
        </div>
      </header>
      {top.length === 0 && picks.length === 0 ? (
        <div className="chart-empty">Samples appear after the first steps.</div>
      ) : (
        <div className="sample-columns">
          <div>
            <h4>Highest scores</h4>
            <ul className="samples" data-testid="sample-grid-top">
              {top.map((s, i) => (
                <SampleTile key={`${s.index}-${i}`} sample={s} classNames={classNames} shape={shape} showWeight />
              ))}
            </ul>
          </div>
          <div>
            <h4>Uniform picks</h4>
            <ul className="samples" data-testid="sample-grid-uniform">
              {picks.map((s, i) => (
                <SampleTile key={`${s.index}-${i}`} sample={s} classNames={classNames} shape={shape} showWeight={false} />
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="explain">
        <ExplainSampler sampler={sampler} />
      </div>
    </section>
  );
});
