'use strict';
/**
 * Runs the synth app (`main.ts`) from a JavaScript bundle of the project and
 * the packages it uses: `node [flags] scripts/launch.cjs main.ts [args...]`,
 * as `npm run synth` and `cdktf.json` do.
 *
 * Two costs of starting the app go away. Loading it through tsx resolves and
 * hooks each of some 800 modules; and Node compiles about 40 MB of JavaScript
 * (the provider bindings' structs are 2.5 MB files) on every start, a third
 * of a second here, again in every worker process. esbuild bundles the app
 * and its synth worker, packages included, into
 * `node_modules/.cache/agent-fleet/` once per change of the sources (about a
 * second), and each bundle runs with V8's code cache for it, written beside
 * it by its first run (Node 22's `module.enableCompileCache()` does the same
 * for every module; Node 20 has no such switch).
 *
 * A bundle is reused while every source it was built from has the same
 * content (a hash of each) and every package file it bundles the same size and
 * time, checked on every run.
 * Bundles are written to a new directory and renamed into place, and cache
 * files are renamed into place, so runs at the same time never see half of
 * either. esbuild only transpiles: the bundle is not type-checked (`npm run
 * typecheck` does that). `FLEET_ROOT` defaults to this project, as it does for
 * `main.ts`; with `FLEET_DEBUG=1` a crash names positions in the sources.
 */
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const PROJECT_DIR = path.resolve(__dirname, '..');
const CACHE_DIR = path.join(PROJECT_DIR, 'node_modules', '.cache', 'agent-fleet');
/** The app, and the module its worker processes run, which it forks from beside itself. */
const ENTRIES = [
  { in: 'main.ts', out: 'main' },
  { in: 'app/synth-worker.ts', out: 'synth-worker' },
];
/** Changes whenever the way bundles are built does. */
const FORMAT = 2;
/** Bundles kept besides the current one, for runs that started from them and fork workers. */
const KEPT_BUNDLES = 3;

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * What a bundle is built from, by path: each source's hash, and each
 * package file's size and time (hashing the packages' 40 MB on every run
 * would cost more than it saves; `npm ci` rewrites the files it installs).
 */
function inputsNow(files) {
  const fingerprints = {};
  for (const file of files) {
    const at = path.join(PROJECT_DIR, file);
    try {
      if (file.startsWith('node_modules/')) {
        const stats = fs.statSync(at);
        fingerprints[file] = `${stats.size}@${stats.mtimeMs}`;
      } else fingerprints[file] = sha256(fs.readFileSync(at));
    } catch {
      return undefined;
    }
  }
  return fingerprints;
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

/**
 * Each entry's starter, `<name>.js`: runs `<name>.bundle.js` with its code
 * cache. Forked workers start from it as main.ts would start them from `.ts`.
 */
function starter(name) {
  const launcher = path.relative(path.join(CACHE_DIR, 'bundle'), __filename);
  return [
    "'use strict';",
    "const path = require('path');",
    `require(path.join(__dirname, ${JSON.stringify(launcher)})).runBundle(path.join(__dirname, '${name}.bundle.js'));`,
    '',
  ].join('\n');
}

/** Builds the bundle into a directory named by its inputs; returns that directory. */
function build(esbuild) {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const staging = fs.mkdtempSync(path.join(CACHE_DIR, 'building-'));
  try {
    const result = esbuild.buildSync({
      absWorkingDir: PROJECT_DIR,
      entryPoints: ENTRIES.map((entry) => ({ in: entry.in, out: `${entry.out}.bundle` })),
      outdir: staging,
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
    });
    for (const entry of ENTRIES) {
      fs.writeFileSync(path.join(staging, `${entry.out}.js`), starter(entry.out));
    }
    const inputs = inputsNow(Object.keys(result.metafile.inputs).sort());
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
    writeAtomically(path.join(CACHE_DIR, 'current.json'), JSON.stringify(current));
    pruneBundles(bundle);
    return target;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
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

/**
 * Runs a bundle as a CommonJS module, compiled with V8's code cache beside
 * it (loaded by Node with its source map under `FLEET_DEBUG=1`); writes that cache when the process exits if there was none or V8
 * refused it. V8 refuses a cache made under other flags, so there is one per
 * set of node flags (`npm run synth`'s, a worker's).
 */
function runBundle(file) {
  // Node maps stack traces through the source map only for the modules it loads itself.
  if (process.env.FLEET_DEBUG === '1') {
    process.setSourceMapsEnabled(true);
    require(file);
    return;
  }
  const flags = sha256(process.execArgv.join('\0')).slice(0, 12);
  const cacheFile = `${file}.${flags}.v8-cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so that the cache holds every function the run compiled.
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, script.createCachedData());
      } catch {
        // A cache is only a speed-up.
      }
    });
  }
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(
      module.exports,
      module.exports,
      Module.createRequire(file),
      module,
      file,
      path.dirname(file),
    );
}

function launch() {
  const [entry, ...args] = process.argv.slice(2);
  if (entry !== 'main.ts') {
    console.error(`usage: node scripts/launch.cjs main.ts [args...]`);
    process.exitCode = 2;
    return;
  }
  let dir;
  try {
    const esbuild = require('esbuild');
    dir = readCurrent(esbuild.version) ?? build(esbuild);
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
  const main = path.join(dir, 'main.bundle.js');
  process.argv = [process.argv[0], main, ...args];
  runBundle(main);
}

module.exports = { runBundle };
if (require.main === module) launch();
