/** Response headers of delivery; error responses are src/errors.ts' errorResponse (re-exported here with headerSafe). */
export { ERROR_CACHE_CONTROL, errorResponse, headerSafe } from '../errors';
export { DERIVED_CACHE_CONTROL } from '../store/edge-cache';

export const ACCEPT_CH = 'Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width';
