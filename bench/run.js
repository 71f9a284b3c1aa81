// `npm run bench`: starts the local infrastructure, runs the ceilings first and then every
// other benchmark under bench/<area>/ (each module exports { name, run() } returning
// { metrics, ceiling? }), prints a table and writes bench/results/<time>.json and latest.json.
// Figures are printed next to ceilings measured in the same run; nothing here asserts time.
const { execFileSync } = require('node:child_process');
const { mkdirSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const only = process.argv[2];

function benchmarkFiles() {
  const ceilings = ['http-redis.js', 'pg-copy.js', 'kafka-roundtrip.js'].map((f) => path.join(__dirname, 'ceilings', f));
  const others = readdirSync(__dirname)
    .filter((d) => !['ceilings', 'lib', 'results'].includes(d) && statSync(path.join(__dirname, d)).isDirectory())
    .flatMap((d) => readdirSync(path.join(__dirname, d)).filter((f) => f.endsWith('.bench.js')).map((f) => path.join(__dirname, d, f)));
  return [...ceilings, ...others].filter((f) => !only || f.includes(only));
}

async function main() {
  execFileSync('bash', [path.join(root, 'deploy/local/infra.sh'), 'up'], { stdio: 'inherit' });
  const results = [];
  for (const file of benchmarkFiles()) {
    const bench = require(file);
    process.stdout.write(`\n▶ ${bench.name}\n`);
    const started = Date.now();
    try {
      const result = await bench.run({ ceilings: Object.fromEntries(results.map((r) => [r.file, r.metrics])) });
      results.push({ file: path.relative(root, file), name: bench.name, ...result, wallSeconds: (Date.now() - started) / 1000 });
      for (const [k, v] of Object.entries(result.metrics)) console.log(`  ${k.padEnd(22)} ${v}`);
      for (const [k, v] of Object.entries(result.ceiling ?? {})) console.log(`  ceiling ${k.padEnd(14)} ${v}`);
    } catch (error) {
      console.error(`  failed: ${error.stack || error}`);
      results.push({ file: path.relative(root, file), name: bench.name, error: String(error) });
    }
  }
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const report = { time: new Date().toISOString(), node: process.version, cpus: require('node:os').cpus().length, results };
  const stamp = report.time.replace(/[:.]/g, '-');
  writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(report, null, 2));
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(report, null, 2));
  console.log(`\nwrote bench/results/${stamp}.json`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
