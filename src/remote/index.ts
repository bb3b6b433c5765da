/** Remote images (issue #14): the URL policy, the fetcher and the fetched-original cache helpers. */
export * from './cache';
export * from './fetch';
export * from './policy';
