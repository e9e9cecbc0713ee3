// Jest loads globalSetup through CommonJS require, where moduleNameMapper does not apply, while our
// ESM TypeScript sources import siblings as './x.js'. Resolve those to './x.ts' before loading them.
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return original.call(this, request, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js'))
      return original.call(this, request.slice(0, -3) + '.ts', ...rest);
    throw error;
  }
};
// MITROA_UNIT_ONLY=1 runs pure unit tests without any database.
const unitOnly = process.env.MITROA_UNIT_ONLY === '1';
module.exports = {
  setup: (...args) => unitOnly || require('./global-setup.ts').default(...args),
  teardown: (...args) => unitOnly || require('./global-teardown.ts').default(...args),
};
