// Bundles the browser app with esbuild into dist/client: one script per page, the pages and the stylesheet.
import { copyFile, cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/client');
await mkdir(path.join(out, 'assets'), { recursive: true });
const started = Date.now();
await build({
  entryPoints: {
    customer: path.join(root, 'client/src/pages/customer.ts'),
    agent: path.join(root, 'client/src/pages/agent.ts'),
    supervisor: path.join(root, 'client/src/pages/supervisor.ts'),
    progress: path.join(root, 'client/src/pages/progress.ts'),
  },
  outdir: path.join(out, 'assets'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
for (const file of ['support.html', 'agent.html', 'supervisor.html', 'progress.html']) await copyFile(path.join(root, 'client', file), path.join(out, file));
await copyFile(path.join(root, 'client/styles.css'), path.join(out, 'assets/styles.css'));
// uPlot's own stylesheet (legend, cursor), beside the supervisor page's bundled uPlot.
await copyFile(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), path.join(out, 'assets/uPlot.min.css'));
// Pictures the guides file points at (/assets/guides/...).
await cp(path.join(root, 'client/guides'), path.join(out, 'assets/guides'), { recursive: true });
console.log(`[client] bundled into ${path.relative(root, out)} in ${Date.now() - started} ms`);
