// "Try the models": a person draws a digit (MNIST) or picks a test image, and both runs'
// current models give their class probabilities side by side, refreshed as they train. The
// picture goes to the worker as a 'probe' (src/engine/page/handsOn.ts), which answers between
// blocks, off both clocks. Mount it with key = the dataset's name: a new dataset starts afresh.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EngineCommand, ProbeInput, ProbePrediction, RunId } from '../../contract/protocol';
import { centreDigit, MNIST_LAYOUT } from './digitPreprocess';
import { DrawPad } from './DrawPad';
import { ProbabilityBars } from './ProbabilityBars';
import { greyRgba, useCanvasImage, useEngineEvents, useOnScreen, type Listen } from './useEngineEvents';

export interface HandsOnDataset {
  name: string;
  classNames: readonly string[];
  imageShape: readonly [number, number, number];
  testCount: number;
}

export interface TryModelsProps {
  listen: Listen;
  send: (command: EngineCommand) => void;
  /** The engine has models (ready, paused or running). */
  ready: boolean;
  dataset: HandsOnDataset;
  runs: readonly RunId[];
}

type Source = 'draw' | 'test';

/** Drawing makes sense where the images are handwritten digits in MNIST's layout. */
export function canDraw(dataset: HandsOnDataset): boolean {
  const [h, w, c] = dataset.imageShape;
  return dataset.name === 'mnist' && h === MNIST_LAYOUT.field && w === MNIST_LAYOUT.field && c === 1;
}

/** A picture on a small canvas, scaled up by CSS without smoothing. */
function PixelImage({ rgba, width, height, label, testId }: { rgba: Uint8ClampedArray | null; width: number; height: number; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useCanvasImage(ref, rgba, width, height);
  return <canvas ref={ref} width={width} height={height} className="pixel-image" data-testid={testId} role="img" aria-label={label} />;
}

function TryModelsCard({ listen, send, ready, dataset, runs }: TryModelsProps) {
  const drawable = canDraw(dataset);
  const [source, setSource] = useState<Source>(drawable ? 'draw' : 'test');
  const [testIndex, setTestIndex] = useState(0);
  const [drawn, setDrawn] = useState<Float32Array | null>(null);
  // Each new picture gets a new request id; answers to older ones are dropped.
  const [requestId, setRequestId] = useState(1);
  const [prediction, setPrediction] = useState<ProbePrediction | null>(null);
  const [h, w] = dataset.imageShape;

  const input = useMemo((): ProbeInput | null => {
    if (source === 'test') return { kind: 'test', index: testIndex };
    return drawn ? { kind: 'pixels', pixels: drawn } : null;
  }, [source, testIndex, drawn]);

  // Asked only while the card is on screen (the engine then answers again as the runs train).
  const cardRef = useRef<HTMLElement>(null);
  const onScreen = useOnScreen(cardRef);
  useEffect(() => {
    if (ready) send({ type: 'probe', requestId, input: onScreen ? input : null });
  }, [ready, requestId, input, onScreen, send]);
  // Leaving the page section (or a new dataset) stops the answers.
  useEffect(() => () => send({ type: 'probe', requestId: 0, input: null }), [send]);

  useEngineEvents(listen, ['prediction'], (e) => {
    if (e.prediction.requestId === requestId) setPrediction(e.prediction);
  });

  const next = () => setRequestId((id) => id + 1);
  const pickTest = (index: number) => {
    setTestIndex(((index % dataset.testCount) + dataset.testCount) % dataset.testCount);
    next();
  };
  const onInk = useCallback((ink: Float32Array, width: number, height: number) => {
    setDrawn(centreDigit(ink, width, height, MNIST_LAYOUT));
    setRequestId((id) => id + 1);
  }, []);
  const onClear = useCallback(() => {
    setDrawn(null);
    setRequestId((id) => id + 1);
  }, []);

  const shown = prediction?.requestId === requestId ? prediction : null;
  const testInput = shown?.input.kind === 'test' ? shown.input : null;
  const drawnRgba = useMemo(() => (drawn ? greyRgba(drawn) : null), [drawn]);
  const testRgba = useMemo(() => (testInput ? greyRgba(testInput.pixels, 255) : null), [testInput]);

  return (
    <section ref={cardRef} className="card hands-on try-models" data-testid="try-models" aria-label="Try the models">
      <div className="card-head">
        <h3>Try the models</h3>
        <p className="subtitle">
          {drawable ? 'Draw a digit, or pick a test image: ' : 'Pick a test image: '}
          both runs’ models answer as they are now, and again as they train.
        </p>
      </div>
      {drawable ? (
        <div className="source-tabs" role="group" aria-label="Picture">
          {(['draw', 'test'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={source === s ? 'on' : ''}
              aria-pressed={source === s}
              data-testid={`probe-source-${s}`}
              onClick={() => {
                setSource(s);
                next();
              }}
            >
              {s === 'draw' ? 'Draw' : 'Test image'}
            </button>
          ))}
        </div>
      ) : null}
      <div className="try-body">
        <div className="try-input">
          {source === 'draw' ? (
            <>
              <DrawPad onInk={onInk} onClear={onClear} />
              <div className="model-view">
                <PixelImage rgba={drawnRgba} width={w} height={h} label="The drawing as the models see it" testId="drawn-digit" />
                <span className="muted">
                  {drawn ? 'What the models see: scaled to 20 × 20, centred by its mass in 28 × 28, like the dataset’s digits.' : 'Draw a digit in the box.'}
                </span>
              </div>
            </>
          ) : (
            <div className="test-pick">
              <PixelImage rgba={testRgba} width={w} height={h} label={`Test image ${testIndex}`} testId="test-image" />
              <div className="test-caption" data-testid="test-image-caption">
                Test image {testIndex.toLocaleString('en')}
                {testInput ? (
                  <>
                    {' '}
                    · true class <strong>{dataset.classNames[testInput.label] ?? testInput.label}</strong>
                  </>
                ) : null}
              </div>
              <div className="test-buttons">
                <button type="button" data-testid="test-prev" onClick={() => pickTest(testIndex - 1)} aria-label="Previous test image">
                  ◀
                </button>
                <button type="button" data-testid="test-next" onClick={() => pickTest(testIndex + 1)} aria-label="Next test image">
                  ▶
                </button>
                <button type="button" data-testid="test-random" onClick={() => pickTest(Math.floor(Math.random() * dataset.testCount))}>
                  Random
                </button>
              </div>
            </div>
          )}
        </div>
        <ProbabilityBars prediction={shown} classNames={dataset.classNames} runs={runs} trueLabel={testInput?.label ?? null} />
      </div>
      {!ready ? <p className="muted">The models answer once the dataset is loaded.</p> : null}
    </section>
  );
}

export const TryModels = memo(TryModelsCard);
