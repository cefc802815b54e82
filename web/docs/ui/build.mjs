// Builds the /docs/api page (GraphiQL with Engage's plugins) into ../assets,
// which the Go binary embeds and serves under /docs/assets/.
//
// The output is meant to be byte-reproducible: the same lockfile and sources
// give the same files, so CI can rebuild and compare with what is committed.
// Fonts and images that the stylesheets inline as data: URLs are written out
// as files, so that the page's Content-Security-Policy can say font-src
// 'self' and img-src 'self'.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'assets');

const common = {
  bundle: true,
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  absWorkingDir: here,
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

// The page: one classic script and one stylesheet. GraphiQL loads Monaco
// lazily, but split chunks would leave the stylesheets of those chunks for
// nobody to load, so everything goes in one bundle.
await build({
  ...common,
  entryPoints: { docs: 'src/main.jsx' },
  outdir: out,
  format: 'iife',
  assetNames: 'fonts/[name]-[hash]',
  jsx: 'automatic',
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
});

// Monaco's web workers, as classic scripts that the page starts by URL.
await build({
  ...common,
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
  outdir: join(out, 'workers'),
  format: 'iife',
});

await extractInlineFiles(join(out, 'docs.css'));

// The licences of everything bundled, for whoever redistributes the binary.
await writeFile(join(out, 'LICENSES.txt'), await licences());

/**
 * Replaces the data: URLs of a stylesheet (fonts, and a few small images)
 * with files beside it, named by their content's hash.
 */
async function extractInlineFiles(cssPath) {
  const css = await readFile(cssPath, 'utf8');
  const extensions = { 'font/ttf': 'ttf', 'font/woff': 'woff', 'font/woff2': 'woff2', 'image/png': 'png', 'image/svg+xml': 'svg' };
  const files = new Map();
  const replaced = css.replace(/url\(\s*["']?data:([a-z0-9+/.-]+);base64,([A-Za-z0-9+/=]+)["']?\s*\)/g, (match, type, b64) => {
    const ext = extensions[type];
    if (!ext) throw new Error(`docs.css inlines a ${type}; add its extension to build.mjs`);
    const bytes = Buffer.from(b64, 'base64');
    const dir = type.startsWith('font/') ? 'fonts' : 'images';
    const name = `${dir}/inline-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${ext}`;
    files.set(name, bytes);
    return `url(./${name})`;
  });
  for (const [name, bytes] of files) {
    await mkdir(dirname(join(out, name)), { recursive: true });
    await writeFile(join(out, name), bytes);
  }
  await writeFile(cssPath, replaced);
}

/** Lists the name, version and licence of every installed package. */
async function licences() {
  const lock = JSON.parse(await readFile(join(here, 'package-lock.json'), 'utf8'));
  const lines = ['Third-party packages bundled into the /docs/api page (from package-lock.json):', ''];
  const names = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).sort();
  for (const path of names) {
    const pkg = lock.packages[path];
    if (pkg.dev || pkg.optional) continue;
    lines.push(`${path.slice('node_modules/'.length)} ${pkg.version} ${pkg.license ?? 'see package'}`);
  }
  return lines.join('\n') + '\n';
}
