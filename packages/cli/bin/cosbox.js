#!/usr/bin/env node
// The installed `cosbox` command: runs the compiled CLI (built by `npm install`'s prepare step).
import '../dist/cli.js';
