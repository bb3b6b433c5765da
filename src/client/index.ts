/**
 * dprox's client helpers (`dprox/client`): Cloudinary delivery URLs and responsive `srcset`s,
 * string for string as the official cloudinary SDK builds them, with no dependency and nothing
 * Worker-only, so the same module runs in browsers, Node and Workers.
 */
export { url, type UrlOptions } from './url';
export { srcset, breakpoints, sizes, dprValue, type WidthSrcset, type DensitySrcset, type SrcsetResult } from './srcset';
export { transformationString, normalizeExpression, type Transformation, type Transformations, type Value } from './transformation';
