// The models the app offers, by name: title and a one-line description of the architecture.
// The name list (MODEL_NAMES) and the ModelName type are derived from this table; the zoo
// (zoo.ts) must give every name here a builder, which the compiler checks. This module does
// not import tfjs, so the settings schema and the UI may read it.

interface ModelDescription {
  /** Shown in the model menu. */
  title: string;
  /** The layers, for the status bar. */
  description: string;
}

// The order here is the order of the model menu.
const DESCRIPTIONS = {
  mlp: { title: 'MLP', description: 'flatten → dense 128 (ReLU) → logits' },
  'cnn-tiny': {
    title: 'Tiny CNN',
    description: 'conv 8 → pool → conv 16 → pool → dense 64 → logits (3×3, same padding); < 100k parameters on 28×28',
  },
  'cnn-small': {
    title: 'Small CNN',
    description: 'conv 16 → conv 16 → pool → conv 32 → pool → dense 128 → logits (3×3, same padding)',
  },
} as const satisfies Record<string, ModelDescription>;

export type ModelName = keyof typeof DESCRIPTIONS;

export interface ModelCatalogueEntry extends ModelDescription {
  name: ModelName;
}

export const MODEL_CATALOGUE: Readonly<Record<ModelName, ModelCatalogueEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DESCRIPTIONS).map(([name, d]) => [name, Object.freeze({ name, ...d })]),
  ) as Record<ModelName, ModelCatalogueEntry>,
);

/** Every model name, in menu order. */
export const MODEL_NAMES: readonly ModelName[] = Object.freeze(Object.keys(DESCRIPTIONS) as ModelName[]);

export function isModelName(name: string): name is ModelName {
  return Object.prototype.hasOwnProperty.call(DESCRIPTIONS, name);
}
