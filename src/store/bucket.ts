/**
 * @module The R2 binding. Only src/store/ names it (test/node/store-boundary.test.ts checks):
 * everything else hands `images(env)` to the store's functions, which own every key and call.
 */
export function images(env: Pick<Env, 'IMAGES'>): R2Bucket {
  return env.IMAGES;
}
