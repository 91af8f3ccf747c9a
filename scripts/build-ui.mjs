#!/usr/bin/env node
// Bundles the web view (ui/) with esbuild into dist/ui: minified JS and CSS under dist/ui/assets/
// with content hashes in their names (served immutable), and dist/ui/index.html pointing at them
// (served no-cache). Prints the sizes, raw and gzipped, so growth shows in every build.
// Usage: node scripts/build-ui.mjs [--dev] (--dev: no minification, inline source maps)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'ui');
const dev = process.argv.includes('--dev');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'ui/src/main.tsx', style: 'ui/src/styles.css' },
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'none',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs);
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`esbuild produced no ${js ? 'CSS' : 'JS'} bundle (outputs: ${outputs.join(', ')})`);

const html = readFileSync(join(root, 'ui', 'index.html'), 'utf8')
  .replace('%JS%', `/ui/assets/${basename(js)}`)
  .replace('%CSS%', `/ui/assets/${basename(css)}`);
writeFileSync(join(out, 'index.html'), html);

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
let total = 0;
let totalGz = 0;
const lines = [];
for (const f of [js, css, join(out, 'index.html')]) {
  const body = readFileSync(join(root, f.startsWith(root) ? f.slice(root.length) : f));
  const gz = gzipSync(body).length;
  total += body.length;
  totalGz += gz;
  lines.push(`  ${basename(f).padEnd(28)} ${kb(body.length).padStart(10)}  gzip ${kb(gz).padStart(9)}`);
}
console.log(`build-ui: dist/ui\n${lines.join('\n')}\n  ${'total'.padEnd(28)} ${kb(total).padStart(10)}  gzip ${kb(totalGz).padStart(9)}`);
