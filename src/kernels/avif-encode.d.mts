// The emscripten glue of avif-encode.wasm (scripts/build-avif.sh): the C exports of avif-encode.c.
export interface AvifEncodeModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  /** Takes ownership of `rgba` (from _malloc) and frees it; returns the AVIF's length, 0 on failure. */
  _avif_encode(rgba: number, width: number, height: number, quality: number, speed: number): number;
  _avif_result_ptr(): number;
  _avif_result_free(): void;
}
declare const createAvifEncoder: (o: EmscriptenOverrides) => Promise<AvifEncodeModule>;
export default createAvifEncoder;
