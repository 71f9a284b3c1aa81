// Integration and end-to-end tests run the services from the compiled output, as in
// production; an incremental build keeps dist/ in step with the sources (a no-op when
// `npm test` has just built).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  if (process.env.JEST_TIER === 'unit') return;
  const root = path.join(__dirname, '..', '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
};
