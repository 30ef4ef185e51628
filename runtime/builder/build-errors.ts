// Build failures. A Dockerfile problem names its line (`Dockerfile:7: unknown instruction: FOO`);
// the CLI prints it as `berth: Dockerfile:7: …` and exits 1, as `docker build` does for a failed build.

import { BerthError } from '../errors.ts';

export class BuildError extends BerthError {
  override readonly code: string = 'BERTH_BUILD';
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { exitCode: 1, ...options });
  }
}

export class DockerfileError extends BuildError {
  override readonly code = 'BERTH_DOCKERFILE' as const;
  /** A failed RUN's stdout and stderr, for callers that showed no progress. */
  output: string | undefined;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}:${line}: ${reason}`, options);
  }
}
