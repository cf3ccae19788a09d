/** A dataset file could not be used. `file` names it as its source describes it. */
export class DataLoadError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DataLoadError';
    this.file = file;
  }
}

export const REBUILD_HINT = 'rebuild with npm run build or reload';
