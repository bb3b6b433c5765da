// Exact-name declarations for the codec files imported by jsquash.ts. Exact ambient module
// declarations take precedence over the packages' own .d.ts files, which reference browser
// globals (ImageData, WebGLRenderingContext) that the Workers type set does not have.

interface CodecImage {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}
interface EmscriptenOverrides {
  noInitialRun?: boolean;
  /** Where the glue would fetch its .wasm from: never fetched, as instantiateWasm is given, but some glues resolve it against import.meta.url, which workerd's modules may lack. */
  locateFile?: (path: string) => string;
  instantiateWasm?: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports;
}

declare module '@jsquash/webp/codec/dec/webp_dec.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/webp/codec/enc/webp_enc_simd.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/webp/codec/dec/webp_dec.js' {
  const factory: (o: EmscriptenOverrides) => Promise<{ decode(data: BufferSource): CodecImage | null }>;
  export default factory;
}
declare module '@jsquash/webp/codec/enc/webp_enc_simd.js' {
  const factory: (o: EmscriptenOverrides) => Promise<{
    encode(data: BufferSource, width: number, height: number, options: Record<string, number>): Uint8Array | null;
  }>;
  export default factory;
}
declare module '@jsquash/jpeg/codec/enc/mozjpeg_enc.js' {
  const factory: (o: EmscriptenOverrides) => Promise<{
    encode(data: BufferSource, width: number, height: number, options: Record<string, number | boolean>): Uint8Array;
  }>;
  export default factory;
}
// The encoder dprox used before its own build: tests compare that build with it.
declare module '@jsquash/avif/codec/enc/avif_enc.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/avif/codec/enc/avif_enc.js' {
  const factory: (o: EmscriptenOverrides) => Promise<{
    encode(data: BufferSource, width: number, height: number, options: Record<string, number | boolean>): Uint8Array | null;
  }>;
  export default factory;
}
declare module '@jsquash/avif/codec/dec/avif_dec.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/avif/codec/dec/avif_dec.js' {
  const factory: (o: EmscriptenOverrides) => Promise<{ decode(data: BufferSource, bitDepth: 8): CodecImage | null }>;
  export default factory;
}
