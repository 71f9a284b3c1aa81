// `npm run bench` (node bench/run.js [filter ...]): starts the local infrastructure
// (deploy/local/infra.sh up), runs the ceilings first and then every other benchmark under
// bench/, prints a table and writes bench/results/<time>.json and bench/results/latest.json.
//
// A benchmark is a module exporting { name, run(context), timeoutSeconds? }; run() resolves
// to { name?, metrics: {...}, ceiling?: {...} } (numbers or short strings). Found here:
//   bench/ceilings/{http-redis,pg-copy,kafka-roundtrip}.js   always first, in this order
//   bench/<area>/*.bench.{js,cjs,mjs}                        plain Node, no build needed
//   bench/<area>/*.bench.ts                                  run from dist/ after `npm run build`
// Helpers (servers, workers) sit beside them under other names and are never run directly.
// context: { root, ceilings } where ceilings maps each finished ceiling's id ('http-redis',
// 'pg-copy', 'kafka-roundtrip') to its metrics, so a benchmark can report the ceiling it is
// compared with. Figures are reported, never asserted. Arguments keep only the benchmarks
// whose path contains one of them.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.join(__dirname, '..');
const CEILINGS = ['http-redis.js', 'pg-copy.js', 'kafka-roundtrip.js'];
const SKIP_DIRS = new Set(['lib', 'results', 'node_modules']);
const DEFAULT_TIMEOUT_SECONDS = 300;

/** Benchmark files, ceilings first, as { id, file, source } (file is what gets loaded). */
function benchmarkFiles() {
  const found = CEILINGS.map((f) => ({
    id: path.basename(f, '.js'),
    file: path.join(__dirname, 'ceilings', f),
  }));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(full);
      } else if (/\.bench\.(js|cjs|mjs)$/.test(entry.name)) {
        found.push({ id: path.relative(__dirname, full), file: full });
      } else if (/\.bench\.ts$/.test(entry.name)) {
        const compiled = path.join(root, 'dist', path.relative(root, full)).replace(/\.ts$/, '.js');
        found.push({ id: path.relative(__dirname, full), file: compiled, source: full });
      }
    }
  };
  for (const entry of readdirSync(__dirname, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) walk(path.join(__dirname, entry.name));
  }
  const filters = process.argv.slice(2);
  return found.filter(({ file, source }) => !filters.length || filters.some((f) => (source || file).includes(f)));
}

async function load(file) {
  const mod = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  const bench = mod.default && typeof mod.default.run === 'function' ? mod.default : mod;
  if (typeof bench.run !== 'function') throw new Error(`${file} exports no run()`);
  return bench;
}

function withTimeout(promise, seconds, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${seconds} s`)), seconds * 1000);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

const show = (v) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : String(v));

function printTable(results) {
  const rows = [['benchmark', 'metric', 'value', 'ceiling']];
  for (const r of results) {
    if (r.error) {
      rows.push([r.name, 'FAILED', r.error.split('\n')[0].slice(0, 80), '']);
      continue;
    }
    const keys = [...new Set([...Object.keys(r.metrics || {}), ...Object.keys(r.ceiling || {})])];
    keys.forEach((k, i) => {
      const value = r.metrics?.[k];
      const ceiling = r.ceiling?.[k];
      rows.push([
        i === 0 ? r.name : '',
        k,
        value === undefined ? '' : show(value),
        ceiling === undefined ? '' : show(ceiling),
      ]);
    });
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) =>
    row.map((cell, c) => (c === 2 || c === 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  console.log(`\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main() {
  const files = benchmarkFiles();
  if (!files.length) throw new Error(`no benchmark matches ${process.argv.slice(2).join(' ')}`);

  execFileSync('bash', [path.join(root, 'deploy/local/infra.sh'), 'up'], { stdio: 'inherit' });
  if (files.some((f) => f.source)) {
    console.log('bench: building (TypeScript benchmarks run from dist/)');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  }

  const results = [];
  const ceilings = {};
  for (const { id, file, source } of files) {
    const relative = path.relative(root, source || file);
    const started = Date.now();
    let name = relative;
    try {
      if (!existsSync(file)) throw new Error(`${path.relative(root, file)} is missing (build first)`);
      const bench = await load(file);
      name = bench.name || name;
      console.log(`bench: ${name}`);
      const timeout = bench.timeoutSeconds || DEFAULT_TIMEOUT_SECONDS;
      const result = await withTimeout(Promise.resolve(bench.run({ root, ceilings })), timeout, name);
      if (!result || typeof result.metrics !== 'object') throw new Error('run() returned no metrics');
      name = result.name || name;
      const seconds = (Date.now() - started) / 1000;
      results.push({
        file: relative,
        name,
        metrics: result.metrics,
        ...(result.ceiling ? { ceiling: result.ceiling } : {}),
        seconds,
      });
      if (relative.startsWith(path.join('bench', 'ceilings'))) ceilings[id] = result.metrics;
    } catch (error) {
      console.error(`bench: ${name} failed: ${error.stack || error}`);
      results.push({
        file: relative,
        name,
        error: String(error.message || error),
        seconds: (Date.now() - started) / 1000,
      });
    }
  }

  printTable(results);
  const report = {
    time: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    results,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.time.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path.join(dir, `${stamp}.json`), json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  console.log(`\nbench: wrote bench/results/${stamp}.json and bench/results/latest.json`);
  return results.some((r) => r.error) ? 1 : 0;
}

// Exit explicitly: a benchmark that timed out may leave sockets or timers behind.
main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error.stack || error}`);
    process.exit(1);
  },
);
