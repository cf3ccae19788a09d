// "What each run learned": both runs' first layers as images, side by side (the MLP's first
// dense units as maps over the input image, a CNN's first convolution filters): by default what
// training changed in them since step 0 (both runs start from the same weights, so this is what
// each run's sampling taught it), or the weights themselves; refreshed with the evaluations
// while the card is on screen. And "Keep a model": a run's trained model
// downloaded in TensorFlow.js's own format (model.json + weights .bin, what tf.loadLayersModel
// reads), with the settings, step and evaluation in model.json's userDefinedMetadata.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { EngineCommand, FirstLayerView, FirstLayerViewKind, ModelFiles, RunId } from '../../contract/protocol';
import { RUN_COLORS, RUN_LABELS } from '../charts/common';
import { downloadBlob } from '../export';
import { mapGrid, sharedScales } from './weightImages';
import { useCanvasImage, useEngineEvents, useOnScreen, type Listen } from './useEngineEvents';

export interface FirstLayerProps {
  listen: Listen;
  send: (command: EngineCommand) => void;
  ready: boolean;
  runs: readonly RunId[];
}

function WeightGrid({ id, view, unitMax }: { id: RunId; view: FirstLayerView | undefined; unitMax: readonly number[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const grid = useMemo(() => (view ? mapGrid(view, unitMax) : null), [view, unitMax]);
  useCanvasImage(ref, grid?.rgba ?? null, grid?.width ?? 0, grid?.height ?? 0);
  // The canvas's shape follows the grid; CSS gives it the figure's width.
  const ratio = grid ? `${grid.width} / ${grid.height}` : '1 / 1';
  return (
    <figure
      className="weight-grid"
      data-testid={`first-layer-${id}`}
      data-state={view ? 'shown' : 'waiting'}
      data-step={view?.step ?? ''}
      data-kind={view?.kind ?? ''}
      data-view={view?.view ?? ''}
      data-shown={view?.shown ?? ''}
      data-units={view?.units ?? ''}
    >
      <canvas ref={ref} className="weight-canvas" style={{ aspectRatio: ratio }} role="img" aria-label={`${RUN_LABELS[id]}: first-layer weights`} />
      <figcaption>
        <span className="swatch" style={{ background: RUN_COLORS[id] }} aria-hidden="true" />
        {RUN_LABELS[id]}
        {view ? <span className="muted"> · step {view.step.toLocaleString('en')}</span> : <span className="muted"> · waiting</span>}
      </figcaption>
    </figure>
  );
}

/** The sentence under the title: what the maps are, from the first view that came. */
function describe(view: FirstLayerView | undefined): string {
  if (!view) return 'The first layer of each run, once the models are built.';
  const what = view.view === 'change' ? 'how much training changed each weight since step 0' : 'its weights';
  if (view.kind === 'dense') {
    return `The first ${view.shown} of the ${view.units} units of the first dense layer, each a ${view.height} × ${view.width} map over the input pixels: ${what}.`;
  }
  return `The ${view.shown === view.units ? view.units : `first ${view.shown} of ${view.units}`} filters of the first convolution, each ${view.height} × ${view.width}: ${what}.`;
}

const VIEW_LABELS: Record<FirstLayerViewKind, string> = { change: 'Change since step 0', weights: 'Weights' };

/** A kept model's files, as links that stay until the next download (in case the browser held one back). */
interface Kept {
  run: RunId;
  files: { name: string; url: string }[];
}

function FirstLayerCard({ listen, send, ready, runs }: FirstLayerProps) {
  const [views, setViews] = useState<Partial<Record<RunId, FirstLayerView>>>({});
  const [viewKind, setViewKind] = useState<FirstLayerViewKind>('change');
  const [pending, setPending] = useState<{ requestId: number; run: RunId } | null>(null);
  const [kept, setKept] = useState<Kept | null>(null);
  const requests = useRef(0);
  const cardRef = useRef<HTMLElement>(null);
  // Weights are read only while the card is on screen (where the browser can tell).
  const onScreen = useOnScreen(cardRef);

  useEffect(() => {
    if (!ready) return;
    send({ type: 'watchWeights', on: onScreen, view: viewKind });
  }, [ready, onScreen, viewKind, send]);
  useEffect(() => () => send({ type: 'watchWeights', on: false }), [send]);

  useEngineEvents(listen, ['firstLayer', 'modelFiles', 'error'], (e) => {
    if (e.type === 'firstLayer') setViews(e.runs);
    else if (e.type === 'modelFiles') {
      if (e.requestId !== pending?.requestId) return;
      setPending(null);
      setKept(save(e.run, e.files));
    } else if (pending) setPending(null); // the export failed: its error is on the banners
  });

  // Blob URLs of the kept files live until the next download or until the card goes.
  useEffect(() => () => kept?.files.forEach((f) => URL.revokeObjectURL(f.url)), [kept]);

  const unitMax = useMemo(() => sharedScales(runs.map((id) => views[id])), [views, runs]);
  const first = views[runs[0]];
  const keep = (run: RunId) => {
    const requestId = ++requests.current;
    setPending({ requestId, run });
    send({ type: 'exportModel', requestId, run });
  };

  return (
    <section ref={cardRef} className="card hands-on first-layer" data-testid="first-layer" aria-label="What each run learned">
      <div className="card-head">
        <h3>What each run learned</h3>
        <p className="subtitle">{describe(first)}</p>
      </div>
      <div className="source-tabs" role="group" aria-label="What the maps show">
        {(['change', 'weights'] as const).map((k) => (
          <button key={k} type="button" className={viewKind === k ? 'on' : ''} aria-pressed={viewKind === k} data-testid={`first-layer-view-${k}`} onClick={() => setViewKind(k)}>
            {VIEW_LABELS[k]}
          </button>
        ))}
      </div>
      <div className="weight-pair">
        {runs.map((id) => (
          <WeightGrid key={id} id={id} view={views[id]} unitMax={unitMax} />
        ))}
      </div>
      <p className="muted weight-legend">
        <span className="key positive" aria-hidden="true" /> positive <span className="key negative" aria-hidden="true" /> negative; unit k of both runs on
        one scale. Both runs started from the same weights, so where their maps differ, their sampling taught them differently.
      </p>
      <div className="keep-model" aria-label="Keep a model">
        <strong>Keep a model</strong>
        {runs.map((id) => (
          <button key={id} type="button" data-testid={`keep-model-${id}`} disabled={!ready || pending !== null} onClick={() => keep(id)}>
            {pending?.run === id ? 'Saving…' : `${RUN_LABELS[id]} model`}
          </button>
        ))}
        <span className="muted">
          Two files, <code>.json</code> and <code>.weights.bin</code>, for <code>tf.loadLayersModel</code>; the model outputs logits (softmax
          them), and its settings, step and evaluation are in the JSON.
        </span>
        {kept ? (
          <span className="kept-files" data-testid="kept-files">
            Saved:{' '}
            {kept.files.map((f) => (
              <a key={f.name} href={f.url} download={f.name}>
                {f.name}
              </a>
            ))}
          </span>
        ) : null}
      </div>
    </section>
  );
}

/** Downloads both files of a kept model and keeps links to them. */
function save(run: RunId, files: ModelFiles): Kept {
  const json = new Blob([files.modelJson], { type: 'application/json' });
  const weights = new Blob([files.weights], { type: 'application/octet-stream' });
  downloadBlob(json, files.jsonFileName);
  downloadBlob(weights, files.weightsFileName);
  return {
    run,
    files: [
      { name: files.jsonFileName, url: URL.createObjectURL(json) },
      { name: files.weightsFileName, url: URL.createObjectURL(weights) },
    ],
  };
}

export const FirstLayer = memo(FirstLayerCard);
