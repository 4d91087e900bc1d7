/**
 * Typed errors of the core. Every failure bascule can explain is one of these;
 * `formatError` (the only place that turns an error into text) prints it once,
 * at the edge, and picks the exit code.
 *
 * Messages name the input at fault and what to do. They never carry a secret:
 * callers pass names, record names, ARNs and AWS error codes, never keys,
 * session tokens or tokens.
 */
import { echo, redact } from './text.js';

export { redact };

export type ErrorKind =
  | 'usage' // bad flags or arguments
  | 'config' // a bad platform file, kubeconfig, or environment value
  | 'dns' // the TXT lookup failed or gave an unusable answer
  | 'refused' // bascule will not sign for that cluster
  | 'credentials' // no usable AWS credentials
  | 'aws' // an AWS call failed
  | 'kube' // a call to a cluster's Kubernetes API failed
  | 'io' // a file could not be read or written
  | 'check' // a check (status, switch preflight) found a disagreement
  | 'internal';

const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  config: 2,
  dns: 1,
  refused: 1,
  credentials: 1,
  aws: 1,
  kube: 1,
  io: 1,
  check: 3,
  internal: 70,
};

/**
 * The cause of a failure, typed: the AWS error code (AccessDenied,
 * ExpiredToken...), the HTTP status an API answered, the system's errno
 * (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID...). Callers decide on these;
 * the message is for people.
 */
export interface TypedCause {
  readonly awsCode?: string | undefined;
  readonly httpStatus?: number | undefined;
  readonly errno?: string | undefined;
}

/**
 * Build chunks each carry their own copy of this module: errors are
 * recognised by a registered symbol, so `instanceof` holds across copies.
 */
const BRAND = Symbol.for('bascule.BasculeError');

export class BasculeError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly kind: ErrorKind;
  /** A line of advice printed after the message ("set AWS_REGION or ..."). */
  readonly hint: string | undefined;
  /** What failed, for callers that branch on it (never on the message's words). */
  readonly awsCode: string | undefined;
  readonly httpStatus: number | undefined;
  readonly errno: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { hint?: string | undefined; cause?: unknown } & TypedCause = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BasculeError';
    this.kind = kind;
    this.hint = options.hint;
    this.awsCode = options.awsCode;
    this.httpStatus = options.httpStatus;
    this.errno = options.errno;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export const usageError = (message: string, hint?: string) => new BasculeError('usage', message, { hint });

/** Turns any thrown value into the text printed on stderr and an exit code. */
export function formatError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof BasculeError) {
    const lines = [`error: ${error.message}`];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return { text: lines.join('\n') + '\n', exitCode: error.exitCode };
  }
  return {
    text: `error: unexpected failure: ${unexpectedMessage(error)}\nhint: this is a bug in bascule; please report it with the command you ran\n`,
    exitCode: EXIT_CODES.internal,
  };
}

/**
 * An error bascule did not expect, as one line: its message only (never a
 * stack, never source), by `echo`'s rule (redacted, escaped, bounded).
 */
export function unexpectedMessage(error: unknown): string {
  let message: string;
  try {
    message = error instanceof Error ? `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}` : String(error);
  } catch {
    message = 'an unprintable value was thrown';
  }
  return echo(message, 200);
}
