// Engine errors: small classes with a literal `code`, the cause kept, and the exit code the CLI
// should use (Docker's 125 for an engine failure unless a command says otherwise). The CLI prints
// `message` as one line; the message follows Docker's wording where users know it.

export interface BerthErrorOptions {
  cause?: unknown;
  exitCode?: number;
}

export class BerthError extends Error {
  readonly code: string = 'BERTH_ERROR';
  readonly exitCode: number;
  constructor(message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 125;
  }
}

/** An image, container, blob, volume or network that does not exist ("No such image: x:latest"). */
export class NotFoundError extends BerthError {
  override readonly code = 'BERTH_NOT_FOUND' as const;
}

/** The thing exists but its state forbids the operation (start a running container, …). */
export class InvalidStateError extends BerthError {
  override readonly code = 'BERTH_INVALID_STATE' as const;
}

/** Content whose sha256 is not the digest it was stored or announced under. */
export class DigestMismatchError extends BerthError {
  override readonly code = 'BERTH_DIGEST_MISMATCH' as const;
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, options: BerthErrorOptions & { what?: string } = {}) {
    super(
      `${options.what ?? 'content'} ${expected} is corrupt: its bytes hash to ${actual}` +
        ' (remove it and pull or load the image again)',
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** An image reference or digest that does not parse (Docker: "invalid reference format"). */
export class InvalidReferenceError extends BerthError {
  override readonly code = 'BERTH_INVALID_REFERENCE' as const;
}

/** A registry answered with an error, or could not be reached. */
export class RegistryError extends BerthError {
  override readonly code = 'BERTH_REGISTRY' as const;
}

/** The operation conflicts with other state (image in use, name taken, ambiguous id prefix). */
export class ConflictError extends BerthError {
  override readonly code = 'BERTH_CONFLICT' as const;
}

/** The command line was wrong. */
export class UsageError extends BerthError {
  override readonly code = 'BERTH_USAGE' as const;
}

/** A format or media type berth knows but does not handle (zstd layers, schema1 manifests). */
export class UnsupportedError extends BerthError {
  override readonly code = 'BERTH_UNSUPPORTED' as const;
}

export const isBerthError = (v: unknown): v is BerthError => v instanceof BerthError;
