/** The URL parser's errors are the one HttpError family of src/errors.ts: re-exported here for the grammar's modules. */
export { CldError, ParamError } from '../errors';
