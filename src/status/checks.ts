/** One check of `bascule status`: its name (stable, for scripts), whether it passed, what it saw, and what to do. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
  /** The command or edit that resolves a failure (absent when the message says it all). */
  readonly hint?: string;
}
