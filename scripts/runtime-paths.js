// Resolves the workspace's `@licensing/<lib>` imports to the compiled libraries in dist/,
// so the services run from `npm run build` output with plain `node -r`. TypeScript and Jest
// resolve the same names from tsconfig.base.json's paths.
const Module = require('node:module');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist', 'libs');
const originalResolve = Module._resolveFilename;

Module._resolveFilename = function resolveWorkspaceLib(request, ...rest) {
  if (request.startsWith('@licensing/')) {
    const lib = request.slice('@licensing/'.length);
    if (/^[a-z-]+$/.test(lib)) {
      return originalResolve.call(this, path.join(dist, lib, 'src', 'index.js'), ...rest);
    }
  }
  return originalResolve.call(this, request, ...rest);
};
