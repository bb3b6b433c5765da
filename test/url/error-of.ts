import { CldError } from '../../src/url/errors';

/** The CldError `fn` throws; fails when it throws nothing, rethrows anything else. */
export function errorOf(fn: () => unknown): CldError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CldError) return e;
    throw e;
  }
  throw new Error('expected an error');
}
