#!/usr/bin/env node
// The installed `cosbox` command: runs the compiled CLI (built by `npm install`'s prepare step).
// Every upload ends in fsyncs, which hold a libuv thread each; Node's default of 4 threads would
// queue concurrent uploads behind one another. Set before anything starts the thread pool.
process.env.UV_THREADPOOL_SIZE ??= '32';
await import('../dist/cli.js');
