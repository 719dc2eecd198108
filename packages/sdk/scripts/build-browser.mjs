#!/usr/bin/env node
// Builds the single-file browser bundles of @cosbox/sdk with esbuild, from the TypeScript sources
// (the cosbox-source export condition; nothing depends on tsc having run):
//
//   dist/cos-sdk.browser.js    a classic script (IIFE) that defines the global `COS`, like cos-js-sdk-v5
//   dist/cos-sdk.browser.mjs   the same as an ES module (`import COS from '.../cos-sdk.browser.mjs'`)
//
// platform 'browser' with no externals: a Node built-in anywhere in the graph fails the build.
// Run by the root `npm run build` (and `prepare`); the browser end-to-end test calls it too.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));

export const BUNDLES = {
  iife: fileURLToPath(new URL('../dist/cos-sdk.browser.js', import.meta.url)),
  esm: fileURLToPath(new URL('../dist/cos-sdk.browser.mjs', import.meta.url)),
};

/** Writes both bundles; resolves to their text. */
export async function buildBrowserBundles() {
  const common = {
    absWorkingDir: sdkDir,
    bundle: true,
    platform: 'browser',
    conditions: ['cosbox-source'],
    target: 'es2020',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
  await Promise.all([
    build({ ...common, entryPoints: ['src/browser/global.ts'], format: 'iife', outfile: BUNDLES.iife }),
    build({ ...common, entryPoints: ['src/browser/index.ts'], format: 'esm', outfile: BUNDLES.esm }),
  ]);
  return { iife: await readFile(BUNDLES.iife, 'utf8'), esm: await readFile(BUNDLES.esm, 'utf8') };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildBrowserBundles();
}
