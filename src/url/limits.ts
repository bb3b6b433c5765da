/** Limits of the URL itself, checked while it is parsed (plan/limits.ts has the limits of the sizes it asks for). */
import { CldError } from './errors';

/** Transformation components in one chain (layers' own components included). */
export const MAX_COMPONENTS = 100;
/** Length of a delivery path, in characters (percent-encoded as received). */
export const MAX_PATH_LENGTH = 8192;

export function checkComponentCount(n: number): void {
  if (n > MAX_COMPONENTS) throw new CldError(400, `Too many transformation components: ${n}, at most ${MAX_COMPONENTS} in one URL`);
}
