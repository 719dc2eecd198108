#!/usr/bin/env node
// Builds the web console into dist/ with esbuild, from the TypeScript sources (the SDK's too, through
// the cosbox-source export condition, so nothing depends on tsc having run):
//
//   dist/index.html   the page (copied)
//   dist/console.css  the styles (copied)
//   dist/console.js   the app with @cosbox/sdk's browser build bundled in (no CDN, no other file)
//
// Run by the root `prepare`, `build` and `test` scripts; cosbox serves dist/ at /-/console/.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const consoleDir = fileURLToPath(new URL('..', import.meta.url));
export const CONSOLE_DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** Writes dist/; resolves when done. */
export async function buildConsole() {
  await mkdir(CONSOLE_DIST, { recursive: true });
  await Promise.all([
    build({
      absWorkingDir: consoleDir,
      entryPoints: ['src/main.ts'],
      outfile: 'dist/console.js',
      bundle: true,
      format: 'iife',
      platform: 'browser',
      conditions: ['cosbox-source'],
      target: 'es2020',
      minify: true,
      sourcemap: true,
      legalComments: 'none',
      logLevel: 'warning',
    }),
    copyFile(new URL('../src/index.html', import.meta.url), new URL('../dist/index.html', import.meta.url)),
    copyFile(new URL('../src/console.css', import.meta.url), new URL('../dist/console.css', import.meta.url)),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildConsole();
}
