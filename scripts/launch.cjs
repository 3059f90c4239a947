'use strict';
/**
 * Runs the synth app (`main.ts`) from a JavaScript bundle of the project's
 * sources: `node [flags] scripts/launch.cjs main.ts [args...]`, as
 * `npm run synth` and `cdktf.json` do.
 *
 * Loading the app through tsx costs about 0.75 s more than loading one bundle
 * of the same code (tsx resolves and hooks each of some 300 modules), and a
 * synth pays it again in every worker process. esbuild bundles the app and
 * its workers into `node_modules/.cache/agent-fleet/` once per change of
 * the sources (about 0.3 s); the packages stay outside the bundle and load
 * from `node_modules`. A bundle is reused while every source it was built
 * from has the same content (a hash of each, checked on every run). Bundles
 * are written to a new directory and renamed into place, so runs at the same
 * time never see half a bundle.
 *
 * The bundle is what tsx runs, not type-checked (`npm run typecheck` does
 * that). `FLEET_ROOT` defaults to this project, as it does for `main.ts`;
 * with `FLEET_DEBUG=1` a crash names positions in the TypeScript sources.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const PROJECT_DIR = path.resolve(__dirname, '..');
const CACHE_DIR = path.join(PROJECT_DIR, 'node_modules', '.cache', 'agent-fleet');
/** The app, and the modules of its worker processes and thread, which it starts from beside itself. */
const ENTRIES = [
  { in: 'main.ts', out: 'main' },
  { in: 'app/synth-worker.ts', out: 'synth-worker' },
  { in: 'app/read-ahead-worker.ts', out: 'read-ahead-worker' },
];
/** Changes whenever the way bundles are built does. */
const FORMAT = 1;
/** Bundles kept besides the current one, for runs that started from them and fork workers. */
const KEPT_BUNDLES = 3;

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** What a bundle is built from: esbuild's version and each source's hash, by path. */
function inputsNow(files) {
  const hashes = {};
  for (const file of files) {
    try {
      hashes[file] = sha256(fs.readFileSync(path.join(PROJECT_DIR, file)));
    } catch {
      return undefined;
    }
  }
  return hashes;
}

function readCurrent(esbuildVersion) {
  try {
    const current = JSON.parse(fs.readFileSync(path.join(CACHE_DIR, 'current.json'), 'utf8'));
    if (current.format !== FORMAT || current.esbuild !== esbuildVersion) return undefined;
    const now = inputsNow(Object.keys(current.inputs));
    if (!now || Object.keys(now).some((file) => now[file] !== current.inputs[file])) {
      return undefined;
    }
    const dir = path.join(CACHE_DIR, current.bundle);
    return fs.existsSync(path.join(dir, 'main.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the bundle into a directory named by its inputs; returns that directory. */
function build(esbuild) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE_DIR, 'building-'));
  try {
    const result = esbuild.buildSync({
      absWorkingDir: PROJECT_DIR,
      entryPoints: ENTRIES,
      outdir: staging,
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      packages: 'external',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
    });
    const files = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
    const inputs = inputsNow(files.sort());
    const bundle = `bundle-${sha256(JSON.stringify({ FORMAT, version: esbuild.version, inputs })).slice(0, 16)}`;
    const target = path.join(CACHE_DIR, bundle);
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      // Another run built the same bundle first.
      if (!fs.existsSync(path.join(target, 'main.js'))) throw error;
      fs.rmSync(staging, { recursive: true, force: true });
    }
    const current = { format: FORMAT, esbuild: esbuild.version, bundle, inputs };
    const temporary = path.join(CACHE_DIR, `current.json.${process.pid}`);
    fs.writeFileSync(temporary, JSON.stringify(current));
    fs.renameSync(temporary, path.join(CACHE_DIR, 'current.json'));
    pruneBundles(bundle);
    return target;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Removes all but the newest bundles; best effort, as another run may be pruning too. */
function pruneBundles(current) {
  const old = fs
    .readdirSync(CACHE_DIR)
    .filter((name) => name.startsWith('bundle-') && name !== current)
    .map((name) => ({ name, at: fs.statSync(path.join(CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(KEPT_BUNDLES);
  for (const { name } of old) {
    fs.rmSync(path.join(CACHE_DIR, name), { recursive: true, force: true });
  }
}

function bundleDir() {
  const esbuild = require('esbuild');
  return readCurrent(esbuild.version) ?? build(esbuild);
}

function launch() {
  const [entry, ...args] = process.argv.slice(2);
  if (!ENTRIES.some((e) => e.in === entry && e.out === 'main')) {
    console.error(`usage: node scripts/launch.cjs main.ts [args...]`);
    process.exitCode = 2;
    return;
  }
  let dir;
  try {
    dir = bundleDir();
  } catch (error) {
    const errors = error.errors ?? [];
    for (const { text, location } of errors) {
      const where = location ? `${location.file}:${location.line}:${location.column + 1}: ` : '';
      console.error(`${where}${text}`);
    }
    if (errors.length === 0) console.error(error.message);
    console.error('\nThe sources could not be bundled; nothing was written.');
    process.exitCode = 2;
    return;
  }
  process.env.FLEET_ROOT ??= PROJECT_DIR;
  if (process.env.FLEET_DEBUG === '1') process.setSourceMapsEnabled(true);
  const main = path.join(dir, 'main.js');
  process.argv = [process.argv[0], main, ...args];
  require(main);
}

launch();
