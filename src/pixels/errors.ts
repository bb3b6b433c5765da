/** A problem with the image itself (corrupt, unsupported, too large): answered 400 with the message in X-Cld-Error. */
export class ImageError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}
