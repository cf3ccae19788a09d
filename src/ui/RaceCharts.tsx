// The race's panels, in the order of the page's grid: who is ahead, loss, the loss ratio,
// accuracy, the variance lab, the hands-on panels, τ, the sampler's histograms and views. Each
// panel sits in its own error boundary: one that fails leaves the others and the controls working.
import type { ReactNode } from 'react';
import type { EngineEvent, EngineCommand, EngineStatus, RunId, VarianceLabPoint } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { findSamplerInfo } from '../is/catalogue';
import { AccuracyChart } from './charts/AccuracyChart';
import { ClassShareChart } from './charts/ClassShareChart';
import { RUN_COLORS, type XAxisKind } from './charts/common';
import { HistogramChart } from './charts/HistogramChart';
import { LossChart } from './charts/LossChart';
import { NoisyShareChart } from './charts/NoisyShareChart';
import { PerClassChart } from './charts/PerClassChart';
import { RatioChart } from './charts/RatioChart';
import { TauChart } from './charts/TauChart';
import { ExplainVarianceLab, VarianceLabChart } from './charts/VarianceLabChart';
import { ErrorBoundary } from './ErrorBoundary';
import { ExplainAccuracy, ExplainClasses, ExplainLoss, ExplainNoise, ExplainScores, ExplainTau, ExplainWeights } from './Explain';
import { FirstLayer } from './handsOn/FirstLayer';
import { TryModels, type HandsOnDataset } from './handsOn/TryModels';
import type { HistoryRecord } from './history/record';
import type { MetricsSnapshot } from './metricsStore';
import { Readout } from './Readout';
import { SampleGrid } from './SampleGrid';

// Hoisted so the memoised charts do not re-render on every status message.
const EXPLAIN = {
  loss: <ExplainLoss />,
  accuracy: <ExplainAccuracy />,
  tau: <ExplainTau />,
  scores: <ExplainScores />,
  weights: <ExplainWeights />,
  classes: <ExplainClasses />,
  noise: <ExplainNoise />,
  varianceLab: <ExplainVarianceLab />,
};
const WEIGHT_MARKER = { x: 1, label: 'uniform w = 1' };
const NO_LAB_POINTS: readonly VarianceLabPoint[] = [];

export interface RaceChartsProps {
  metrics: MetricsSnapshot;
  settings: Settings;
  status: EngineStatus | null;
  xAxis: XAxisKind;
  onXAxisChange: (x: XAxisKind) => void;
  /** Log scale of the training-loss and the test-loss axes. */
  logScale: boolean;
  onLogScaleChange: (on: boolean) => void;
  testLossLog: boolean;
  onTestLossLogChange: (on: boolean) => void;
  /** EMA smoothing of the loss and τ curves (the SmoothingSlider). */
  smoothing: number;
  /** What the loss, accuracy and τ charts draw of the history: one object for all three. */
  overlayProps: { overlays: readonly HistoryRecord[]; liveSettings: Settings; liveBackend: string | null };
  /** The hands-on panels' link to the engine. */
  listen: (listener: (event: EngineEvent) => void) => () => void;
  send: (command: EngineCommand) => void;
  /** The runs have models (ready, paused or running). */
  hasModels: boolean;
  handsOnDataset: HandsOnDataset | null;
  runIds: readonly RunId[];
  classNames: readonly string[];
  imageShape: readonly [number, number, number] | null;
  /** The share of flipped labels in the training set (for the noisy-label chart). */
  datasetNoise: number;
}

export function RaceCharts(p: RaceChartsProps): ReactNode {
  const { metrics, settings, status, overlayProps } = p;
  const snapshot = metrics.runs.importance.snapshot;
  return (
    <div className="charts">
      <ErrorBoundary label="The readout">
        <Readout importanceEvals={metrics.runs.importance.evals} uniformEvals={metrics.runs.uniform.evals} compare={settings.compare} />
      </ErrorBoundary>
      <ErrorBoundary label="The loss chart">
        <LossChart
          metrics={metrics}
          xAxis={p.xAxis}
          onXAxisChange={p.onXAxisChange}
          logScale={p.logScale}
          onLogScaleChange={p.onLogScaleChange}
          explain={EXPLAIN.loss}
          smoothing={p.smoothing}
          {...overlayProps}
        />
      </ErrorBoundary>
      {settings.compare ? (
        <ErrorBoundary label="The loss-ratio chart">
          <RatioChart metrics={metrics} />
        </ErrorBoundary>
      ) : null}
      <ErrorBoundary label="The accuracy chart">
        <AccuracyChart
          metrics={metrics}
          xAxis={p.xAxis}
          logScale={p.testLossLog}
          onLogScaleChange={p.onTestLossLogChange}
          explain={EXPLAIN.accuracy}
          {...overlayProps}
        />
      </ErrorBoundary>
      <ErrorBoundary label="The variance lab">
        <VarianceLabChart
          points={metrics.runs.importance.varianceLab ?? NO_LAB_POINTS}
          interval={settings.varianceLabInterval}
          explain={EXPLAIN.varianceLab}
        />
      </ErrorBoundary>
      {/* Side by side in a row of the grid: what a person tries once the race runs. */}
      {p.handsOnDataset ? (
        <ErrorBoundary label="Try the models">
          <TryModels key={p.handsOnDataset.name} listen={p.listen} send={p.send} ready={p.hasModels} dataset={p.handsOnDataset} runs={p.runIds} />
        </ErrorBoundary>
      ) : null}
      <ErrorBoundary label="What each run learned">
        <FirstLayer listen={p.listen} send={p.send} ready={p.hasModels} runs={p.runIds} />
      </ErrorBoundary>
      <ErrorBoundary label="The τ chart">
        <TauChart
          metrics={metrics}
          thresholdNow={status?.tauThresholdInForce ?? null}
          measuredThreshold={status?.costs.measuredTauThreshold ?? null}
          thresholdMode={settings.tauThresholdMode}
          explain={EXPLAIN.tau}
          smoothing={p.smoothing}
          {...overlayProps}
        />
      </ErrorBoundary>
      <ErrorBoundary label="The score histogram">
        <HistogramChart
          testId="chart-scores"
          title="Scores of the presample"
          subtitle={settings.score === 'upperBound' ? 'Upper bound ‖softmax(z) − y‖ per sample' : `Score: ${settings.score}`}
          histogram={snapshot?.scoreHistogram}
          color={RUN_COLORS.importance}
          xLabel="score"
          explain={EXPLAIN.scores}
        />
      </ErrorBoundary>
      <ErrorBoundary label="The weight histogram">
        <HistogramChart
          testId="chart-weights"
          title="Sampling weights w"
          subtitle={`${findSamplerInfo(settings.sampler)?.weightFormula ?? 'w'} of the samples drawn`}
          histogram={snapshot?.weightHistogram}
          color="#12b886"
          xLabel="weight w"
          marker={WEIGHT_MARKER}
          explain={EXPLAIN.weights}
        />
      </ErrorBoundary>
      <ErrorBoundary label="The class-share chart">
        <ClassShareChart metrics={metrics} classNames={p.classNames} explain={EXPLAIN.classes} />
      </ErrorBoundary>
      <ErrorBoundary label="The per-class chart">
        <PerClassChart metrics={metrics} classNames={p.classNames} labelNoise={settings.labelNoise} imbalanceClass={settings.imbalanceClass} />
      </ErrorBoundary>
      {settings.labelNoise > 0 ? (
        <ErrorBoundary label="The noisy-label chart">
          <NoisyShareChart metrics={metrics} datasetShare={p.datasetNoise} explain={EXPLAIN.noise} />
        </ErrorBoundary>
      ) : null}
      <ErrorBoundary label="The sample grid">
        <SampleGrid snapshot={snapshot} imageShape={p.imageShape} classNames={p.classNames} sampler={settings.sampler} />
      </ErrorBoundary>
    </div>
  );
}
