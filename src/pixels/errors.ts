/** ImageError is one of src/errors.ts' HttpError family: re-exported here for the codecs and ops. */
export { ImageError } from '../errors';
