#!/usr/bin/env node
// Runs one command in a process group of its own and ends that whole group (wrangler and the
// workerd it starts) when this guard's stdin closes or it is signalled. `npm start` holds the other
// end of stdin, so whatever way it ends (a crash, a signal, even SIGKILL), the pipe closes and the
// Worker goes with it: no orphan keeps the port.
//
//   node child-guard.mjs <command> [args...]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: child-guard.mjs <command> [args...]');
  process.exit(2);
}

// The grace period wrangler needs to stop workerd (about 2 s measured), then the group is killed.
const GRACE_MS = 5000;

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
let stopping = false;

function killGroup(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function stop() {
  if (stopping) return;
  stopping = true;
  killGroup('SIGTERM');
  setTimeout(() => {
    killGroup('SIGKILL');
    process.exit(1);
  }, GRACE_MS).unref();
}

child.on('exit', (code, signal) => {
  // wrangler itself is gone: take any workerd it left behind with it.
  killGroup('SIGKILL');
  process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
});
child.on('error', (err) => {
  console.error(`dprox: could not start ${command}: ${err.message}`);
  process.exit(1);
});

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
