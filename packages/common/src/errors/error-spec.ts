/** What the registry knows of one error code. */
export interface ErrorSpec {
  /** HTTP status the API answers with. */
  readonly status: number;
  /** Transient failures are retried (with backoff); permanent ones fail the job at once. */
  readonly retryable: boolean;
  /**
   * Message template shown to the user; `{name}` is replaced by the detail of that name.
   * Say what happened and what the user can do about it.
   */
  readonly message: string;
}

export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

/** Declares a table of codes while keeping their literal names in the type. */
export const defineErrors = <const T extends ErrorTable>(table: T): T => table;
