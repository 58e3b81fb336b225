// Bundles the extension host, the webview and the CLI with esbuild.
// `--watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

async function workerSource() {
  const out = await esbuild.build({
    ...common,
    sourcemap: false,
    entryPoints: ['webview/simulationWorker.ts'],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
  });
  return out.outputFiles[0].text;
}

const targets = [
  {
    ...common,
    entryPoints: ['extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['extension/searchWorker.ts'],
    outfile: 'dist/searchWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // The preview's simulation worker, bundled on its own and carried in the page's script as a string: a webview
    // starts workers only from blob: URLs (webview/background.ts).
    define: { SIMULATION_WORKER_SOURCE: JSON.stringify(await workerSource()) },
  },
  {
    ...common,
    entryPoints: ['webview/style.css'],
    outfile: 'dist/webview.css',
  },
];

// The webview loads codicons from dist/ (its only local resource root): the stylesheet and the font beside it.
mkdirSync('dist', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) {
  copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/${file}`);
}

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
