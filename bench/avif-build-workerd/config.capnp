# workerd -- serve bench/avif-build-workerd/config.capnp (after scripts/build-avif.sh x86simd)
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .avifWorker)],
  sockets = [(name = "http", address = "127.0.0.1:8799", http = (), service = "main")],
);

const avifWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "avif_enc.mjs", esModule = embed "../.out/avif-x86simd/avif_enc.mjs"),
    (name = "avif_enc.wasm", wasm = embed "../.out/avif-x86simd/avif_enc.wasm"),
  ],
  compatibilityDate = "2024-01-01",
);
