/** An HTTP-facing error: the message goes to X-Cld-Error, the status to the response. */
export class CldError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 414 | 423 | 500 | 503,
    message: string,
    /** Headers the error response carries besides the defaults (a 503's Retry-After). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'CldError';
  }
}

/** A parameter whose value does not match its grammar; names the parameter, the value and what was expected. */
export class ParamError extends CldError {
  constructor(name: string, value: string, expected: string) {
    super(400, `Invalid ${name} in transformation: ${value} (expected ${expected})`);
  }
}
