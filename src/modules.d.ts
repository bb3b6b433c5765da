declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.onnx' {
  const data: ArrayBuffer;
  export default data;
}
declare module 'onnxruntime-web/ort-wasm-simd-threaded.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '*.ttf' {
  const data: ArrayBuffer;
  export default data;
}
