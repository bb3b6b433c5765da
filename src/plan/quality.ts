/** q_auto's qualities by level, read by the output choice, the cost model and the search (a leaf: no imports but types). */
import type { AutoLevel } from './steps';

/** q_auto's quality where no search runs (PNG output) and where it cannot (the sample failed to decode). */
export const AUTO_FALLBACK: Record<AutoLevel, number> = { best: 90, good: 80, eco: 70, low: 60 };

/** The top of q_auto's search range per level (codecs/quality/search.ts AUTO_TARGETS): the memory model's quality for it. */
export const AUTO_MAX_QUALITY: Record<AutoLevel, number> = { best: 95, good: 85, eco: 80, low: 75 };
