// ipx (sharp-based image server) for bench/throughput.mjs: serves <dir> on 127.0.0.1 (an ephemeral
// port, printed as `listening <port>` on stdout), e.g. /s_800x600,fit_cover,q_80,f_jpeg/12mp.jpg.
//
//   node bench/ipx/server.mjs <dir> <sharp threads>
//
// Run from bench/ipx/node_modules (npm install --prefix bench/ipx), never a dependency of dprox.
//   UV_THREADPOOL_SIZE=<n> bounds how many images it works on at once (libuv's pool, default 4).
// Baseline JPEG (ipx defaults to progressive) so that both servers encode the same kind of file.
import { createServer } from 'node:http';
import { createIPX, createIPXNodeServer, ipxFSStorage } from 'ipx';
import sharp from 'sharp'; // the same module ipx imports (one copy in bench/ipx/node_modules)

const [dir, threads] = process.argv.slice(2);
sharp.concurrency(Number(threads));
const ipx = createIPX({ storage: ipxFSStorage({ dir }), maxAge: 0, sharpOptions: { jpegProgressive: false } });
const server = createServer(createIPXNodeServer(ipx));
server.listen(0, '127.0.0.1', () => {
  console.log(
    `listening ${server.address().port} sharp ${sharp.versions.sharp} libvips ${sharp.versions.vips} threads ${sharp.concurrency()}, libuv threads ${process.env.UV_THREADPOOL_SIZE ?? 4}`,
  );
});
