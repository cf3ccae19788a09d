// The envelope check of the hands-on commands ('probe', 'watchWeights', 'exportModel') as they
// arrive at the worker (commandCheck.ts hands them here). Only shapes and types: whether a
// picture fits the dataset or a test image exists is the engine's to say (handsOn.ts), with
// the dataset's own numbers.
import type { EngineCommand, ProbeInput, RunId } from './protocol';

type HandsOnCommand = Extract<EngineCommand, { type: 'probe' | 'watchWeights' | 'exportModel' }>;

/** The most values a picture may carry: far above any dataset's image (28×28×1 = 784). */
export const MAX_PROBE_VALUES = 65_536;
const RUN_IDS: readonly RunId[] = ['importance', 'uniform'];

const isRequestId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkInput(input: unknown): ProbeInput | null | string {
  if (input === null) return null;
  if (!isObject(input)) return 'probe: "input" must be null or an object with a "kind"';
  if (input.kind === 'pixels') {
    const { pixels } = input;
    if (!(pixels instanceof Float32Array)) return 'probe: "pixels" must be a Float32Array of grey levels in [0, 1]';
    if (pixels.length > MAX_PROBE_VALUES) return `probe: "pixels" holds ${pixels.length} values, at most ${MAX_PROBE_VALUES}`;
    return { kind: 'pixels', pixels };
  }
  if (input.kind === 'test') {
    const { index } = input;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return 'probe: a test image "index" must be a whole number ≥ 0';
    return { kind: 'test', index };
  }
  return 'probe: "input.kind" must be "pixels" or "test"';
}

/** A fresh command holding only its own fields, or a sentence saying what is wrong. */
export function checkHandsOnCommand(type: HandsOnCommand['type'], value: Record<string, unknown>): HandsOnCommand | string {
  switch (type) {
    case 'probe': {
      if (!isRequestId(value.requestId)) return 'probe: "requestId" must be a whole number ≥ 0';
      const input = checkInput(value.input);
      return typeof input === 'string' ? input : { type, requestId: value.requestId, input };
    }
    case 'watchWeights': {
      if (typeof value.on !== 'boolean') return 'watchWeights: "on" must be true or false';
      const { view } = value;
      if (view === undefined) return { type, on: value.on };
      return view === 'weights' || view === 'change' ? { type, on: value.on, view } : 'watchWeights: "view" must be "weights" or "change" when given';
    }
    case 'exportModel': {
      if (!isRequestId(value.requestId)) return 'exportModel: "requestId" must be a whole number ≥ 0';
      const run = value.run;
      if (typeof run !== 'string' || !(RUN_IDS as readonly string[]).includes(run)) return `exportModel: "run" must be one of ${RUN_IDS.join(', ')}`;
      return { type, requestId: value.requestId, run: run as RunId };
    }
  }
}
