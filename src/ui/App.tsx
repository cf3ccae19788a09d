// The playground page: settings on the side, the race in the middle.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { awaitsMeasuredModel, hasHardwareWebgpu, judgeTinyCnn, leavesModelOpen, tinyCnnStart, withMachineDefaults } from './environmentDefaults';
import type { RunId, StepPoint } from '../contract/protocol';
import { applySettingsChange, type ImportanceMode, type Settings } from '../contract/settings';
import { presampleSize } from '../is/catalogue';
import { RUN_COLORS, RUN_LABELS, type XAxisKind } from './charts/common';
import { SmoothingSlider } from './charts/SmoothingSlider';
import { SettingsPanel } from './Controls';
import { ModeToggle, RunButtons } from './RunControls';
import type { WorkerFactory } from './engineClient';
import type { RaceEndListener } from './engineSession';
import { useEngine } from './useEngine';
import { HistoryPanel } from './history/HistoryPanel';
import { settingsDiffLabel } from './history/overlay';
import { newRaceId, recordOfRace, type HistoryRecord } from './history/record';
import { useRunHistory } from './history/useRunHistory';
import { useSaveOnPageHide } from './history/useSaveOnPageHide';
import { useKeyboardShortcuts, type ShortcutAction } from './keyboard';
import { BudgetProgress } from './BudgetProgress';
import { RepeatControl } from './RepeatControl';
import { useRepeat, type RepeatRunner } from './useRepeat';
import { ErrorBoundary } from './ErrorBoundary';
import type { MetricsSnapshot } from './metricsStore';
import type { HandsOnDataset } from './handsOn/TryModels';
import { SettingsDrawer } from './SettingsDrawer';
import { Presets } from './Presets';
import { RaceCharts } from './RaceCharts';
import { syncUrl } from './share';
import { Banners, StatusBar } from './StatusBar';
import { TopBar } from './TopBar';
import { parseSettingsFromQuery } from './urlState';

export interface AppProps {
  /** For tests: a fake worker. The page uses the real engine worker. */
  workerFactory?: WorkerFactory;
  /** For tests: the query string to read settings from (default: the page's). */
  initialQuery?: string;
  /** Write the settings to the address bar (default true). */
  syncAddressBar?: boolean;
  /** For tests: the IndexedDB the run history lives in (default: the page's). */
  historyDb?: IDBFactory;
}

const NO_CLASSES: string[] = [];
const BOTH_RUNS: readonly RunId[] = ['importance', 'uniform'];
const IMPORTANCE_ONLY: readonly RunId[] = ['importance'];
const HAS_MODELS: ReadonlySet<string> = new Set(['ready', 'paused', 'running']);

const lastOf = <T,>(a: readonly T[]): T | null => (a.length ? a[a.length - 1] : null);

/** "importance · active": the mode the engine last reported for the importance run. */
export function engineModeText(metrics: MetricsSnapshot, reportedMode: ImportanceMode | null): string {
  const last: StepPoint | null = lastOf(metrics.runs.importance.steps);
  if (last) return `${last.mode} · ${last.importanceActive ? 'active' : 'inactive'}`;
  return reportedMode ? `${reportedMode} · not started` : 'not started';
}

const RELOAD = (
  <button type="button" className="banner-action" data-testid="reload-page" onClick={() => window.location.reload()}>
    Reload the page
  </button>
);

/**
 * The page inside an error boundary: a render exception shows what failed, not a blank page.
 * Where the link leaves the model open and WebGPU exists, the page first asks for an adapter
 * (a few ms) to pick the default model for this machine (environmentDefaults.ts).
 */
export function App(props: AppProps) {
  const query = props.initialQuery ?? (typeof window !== 'undefined' ? window.location.search : '');
  const canAsk = typeof navigator !== 'undefined' && 'gpu' in navigator && leavesModelOpen(query);
  const [resolved, setResolved] = useState<{ query: string; measured: boolean } | null>(
    canAsk ? null : { query, measured: awaitsMeasuredModel(query, false) },
  );
  useEffect(() => {
    if (!canAsk) return;
    let live = true;
    void hasHardwareWebgpu().then((hw) => live && setResolved({ query: withMachineDefaults(query, hw), measured: awaitsMeasuredModel(query, hw) }));
    return () => {
      live = false;
    };
  }, [canAsk, query]);
  return (
    <ErrorBoundary label="The playground" actions={RELOAD}>
      {resolved === null ? (
        <p className="muted">Looking for a GPU…</p>
      ) : (
        <Playground {...props} initialQuery={resolved.query} measuredModel={resolved.measured} />
      )}
    </ErrorBoundary>
  );
}

function Playground({
  workerFactory,
  initialQuery,
  syncAddressBar = true,
  historyDb,
  measuredModel = false,
}: AppProps & { measuredModel?: boolean }) {
  const [initial] = useState(() =>
    parseSettingsFromQuery(initialQuery ?? (typeof window !== 'undefined' ? window.location.search : '')),
  );
  const [settings, setSettings] = useState<Settings>(initial.settings);
  const [urlNotices, setUrlNotices] = useState<string[]>(initial.notices);
  const settingsRef = useRef(settings);
  const onSettingsReverted = useCallback((engineSettings: Settings) => {
    settingsRef.current = engineSettings;
    setSettings(engineSettings);
  }, []);
  const history = useRunHistory(historyDb);
  // The race on the page: saving it again (Reset after its budget ran out) replaces its record.
  const raceRef = useRef({ id: newRaceId(), finished: false });
  const repeatRef = useRef<RepeatRunner | null>(null);
  const saveRace = history.save;
  const onRaceEnd = useCallback<RaceEndListener>(
    ({ reason, metrics: ended, settings: ranWith, status: last }) => {
      const race = raceRef.current;
      if (reason === 'budget') race.finished = true;
      const record = recordOfRace(
        {
          id: race.id,
          runs: ended.runs,
          settings: ranWith,
          backend: last?.backend?.name ?? null,
          device: last?.backend?.adapter ?? null,
          finished: race.finished,
        },
        race.finished ? 'budget' : reason,
        Date.now(),
      );
      if (record) void saveRace(record);
      if (reason === 'budget') repeatRef.current?.finished(race.id);
      else raceRef.current = { id: newRaceId(), finished: false };
    },
    [saveRace],
  );
  const { view, metrics, send, startPending, dismiss, restartEngine, listen } = useEngine(
    settings,
    workerFactory,
    onSettingsReverted,
    onRaceEnd,
  );
  // Reload or close in the middle of a race: keep it (its id stays, so a later save replaces it).
  const lastStatus = view.status;
  const recordOnPageHide = useCallback(
    () =>
      recordOfRace(
        {
          id: raceRef.current.id,
          runs: metrics.runs,
          settings: settingsRef.current,
          backend: lastStatus?.backend?.name ?? null,
          device: lastStatus?.backend?.adapter ?? null,
          finished: raceRef.current.finished,
        },
        raceRef.current.finished ? 'budget' : 'reload',
        Date.now(),
      ),
    [metrics, lastStatus],
  );
  useSaveOnPageHide(recordOnPageHide, saveRace);
  const [xAxis, setXAxis] = useState<XAxisKind>('time');
  // Loss axes open on the log scale: a loss 1.8× lower late in training is a few pixels on a linear one.
  const [logScale, setLogScale] = useState(true);
  const [testLossLog, setTestLossLog] = useState(true);

  useEffect(() => {
    if (syncAddressBar) syncUrl(settings);
  }, [settings, syncAddressBar]);

  const onChange = useCallback(
    (change: Partial<Settings>): string[] => {
      const { settings: next, errors } = applySettingsChange(settingsRef.current, change);
      if (errors.length) return errors;
      settingsRef.current = next;
      setSettings(next);
      send({ type: 'update', change });
      return [];
    },
    [send],
  );

  // The link left the model open and no hardware GPU chose it: once the engine has timed the
  // tiny CNN on its backend, start from it if it is fast enough, and say why either way.
  const [modelNotice, setModelNotice] = useState<string | null>(null);
  const modelDecided = useRef(!measuredModel);
  const probedBackend = view.status?.backend;
  useEffect(() => {
    if (modelDecided.current || settingsRef.current.model !== 'mlp') return;
    const verdict = judgeTinyCnn(probedBackend, settingsRef.current);
    if (!verdict) return;
    modelDecided.current = true;
    setModelNotice(verdict.message);
    if (verdict.model !== settingsRef.current.model) onChange(verdict.model === 'cnn-tiny' ? tinyCnnStart(initialQuery ?? '') : { model: verdict.model });
  }, [probedBackend, onChange, initialQuery]);

  const repeat = useRepeat({ settingsRef, change: onChange, send, overlay: history.setOverlaid });
  useEffect(() => {
    repeatRef.current = repeat;
  }, [repeat]);

  const [helpOpen, setHelpOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const closeSettings = useCallback(() => setSettingsOpen(false), []);
  const [smoothing, setSmoothing] = useState(0);
  const overlaid = useMemo(() => history.records.filter((r) => history.overlaid.has(r.id)), [history.records, history.overlaid]);
  const liveBackend = view.status?.backend?.name ?? null;
  // What the loss, accuracy and τ charts draw of the history: one object, the same for all three.
  const overlayProps = useMemo(() => ({ overlays: overlaid, liveSettings: settings, liveBackend }), [overlaid, settings, liveBackend]);
  const describeRecord = useCallback(
    (r: HistoryRecord) => settingsDiffLabel(settings, r.settings, { live: liveBackend, other: r.backend }),
    [settings, liveBackend],
  );
  const stateNow = view.status?.state ?? null;
  const onShortcut = useCallback(
    (action: ShortcutAction) => {
      if (action === 'toggleRun') send({ type: stateNow === 'running' ? 'pause' : 'start' });
      else if (action === 'step') send({ type: 'step' });
      else if (action === 'reset') send({ type: 'reset' });
      else if (action === 'help') setHelpOpen((o) => !o);
      else onChange({ mode: action.mode });
    },
    [send, onChange, stateNow],
  );
  useKeyboardShortcuts(onShortcut);

  const status = view.status;
  const state = status?.state ?? null;
  const steps: Record<RunId, number> = {
    importance: Math.max(status?.runs.importance?.step ?? 0, lastOf(metrics.runs.importance.steps)?.step ?? 0),
    uniform: Math.max(status?.runs.uniform?.step ?? 0, lastOf(metrics.runs.uniform.steps)?.step ?? 0),
  };
  const dataset = status?.dataset ?? null;
  // Each status message carries fresh arrays: keep the same ones while their content is the same.
  const classKey = dataset ? dataset.classNames.join('\u0000') : '';
  const shapeKey = dataset ? dataset.imageShape.join('x') : '';
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const classNames = useMemo(() => dataset?.classNames ?? NO_CLASSES, [classKey]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const imageShape = useMemo(() => dataset?.imageShape ?? null, [shapeKey]);
  const datasetNoise = dataset && dataset.trainCount > 0 ? dataset.flippedCount / dataset.trainCount : settings.labelNoise;
  const presampleB = presampleSize(settings);
  // The hands-on panels (src/ui/handsOn/): the same objects while the dataset is the same.
  const testCount = dataset?.testCount ?? 0;
  const handsOnDataset = useMemo(
    (): HandsOnDataset | null => (imageShape && testCount > 0 ? { name: dataset?.name ?? '', classNames, imageShape, testCount } : null),
    [classNames, imageShape, testCount, dataset?.name],
  );
  const runIds = settings.compare ? BOTH_RUNS : IMPORTANCE_ONLY;
  const hasModels = state !== null && HAS_MODELS.has(state);

  return (
    <div className="app">
      <TopBar
        status={status}
        metrics={metrics}
        settings={settings}
        settingsOpen={settingsOpen}
        onToggleSettings={() => setSettingsOpen((o) => !o)}
        helpOpen={helpOpen}
        onHelpOpen={setHelpOpen}
      />

      <Banners
        view={view}
        modelNotice={modelNotice}
        onDismissModelNotice={() => setModelNotice(null)}
        urlNotices={urlNotices}
        onDismissUrlNotices={() => setUrlNotices([])}
        onDismiss={dismiss}
        onRestartEngine={restartEngine}
      />

      <div className="layout">
        <SettingsDrawer open={settingsOpen} onClose={closeSettings}>
          <Presets settings={settings} onChange={onChange} />
          <SettingsPanel settings={settings} onChange={onChange} tauThresholdInForce={status?.tauThresholdInForce} />
        </SettingsDrawer>

        <main className="main">
          <section className="card runbar run-controls" aria-label="Run controls">
            <RunButtons
              state={state}
              startPending={startPending}
              onStart={() => send({ type: 'start' })}
              onPause={() => send({ type: 'pause' })}
              onStep={() => send({ type: 'step' })}
              onReset={() => send({ type: 'reset' })}
            />
            <ModeToggle
              value={settings.mode}
              onChange={(mode) => onChange({ mode })}
              engineMode={engineModeText(metrics, status?.settings.mode ?? null)}
            />
            <div className="run-legend" aria-label="Legend">
              {(settings.compare ? (['importance', 'uniform'] as const) : (['importance'] as const)).map((id) => (
                <span key={id} className="legend-item">
                  <span className="swatch" style={{ background: RUN_COLORS[id] }} aria-hidden="true" />
                  {RUN_LABELS[id]}
                </span>
              ))}
              <span className="legend-item muted">
                b = {settings.batchSize}, B = {presampleB}
              </span>
              <SmoothingSlider value={smoothing} onChange={setSmoothing} />
            </div>
          </section>

          <StatusBar view={view} steps={steps} />

          <section className="card runbar budget-bar" aria-label="Budget and repeat">
            <BudgetProgress status={status} />
            <RepeatControl runner={repeat} budgetOn={settings.budgetUnit !== 'off'} />
          </section>

          <ErrorBoundary label="The run history">
            <HistoryPanel history={history} describe={describeRecord} />
          </ErrorBoundary>

          <RaceCharts
            metrics={metrics}
            settings={settings}
            status={status}
            xAxis={xAxis}
            onXAxisChange={setXAxis}
            logScale={logScale}
            onLogScaleChange={setLogScale}
            testLossLog={testLossLog}
            onTestLossLogChange={setTestLossLog}
            smoothing={smoothing}
            overlayProps={overlayProps}
            listen={listen}
            send={send}
            hasModels={hasModels}
            handsOnDataset={handsOnDataset}
            runIds={runIds}
            classNames={classNames}
            imageShape={imageShape}
            datasetNoise={datasetNoise}
          />
        </main>
      </div>
      <footer className="footer">
        <p>
          Method: A. Katharopoulos and F. Fleuret, “Not All Samples Are Created Equal: Deep Learning with Importance
          Sampling”, ICML 2018 (arXiv 1803.00942). Training runs in a Web Worker with TensorFlow.js; nothing leaves
          your browser.
        </p>
      </footer>
    </div>
  );
}
