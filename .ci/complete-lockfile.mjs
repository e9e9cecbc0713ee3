// The npm registry mirror of this workplace serves only the linux-x64 builds of packages with
// per-platform optional binaries (@swc/core, unrs-resolver), so `npm install` leaves the other
// platforms out of package-lock.json and `npm ci` then refuses the lockfile as out of sync.
// This adds lock entries for those optional binaries (version, os, cpu; npm skips them on other
// platforms without fetching). Run after any `npm install` that rewrites the lockfile:
//   node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    const key = `${base}node_modules/${name}`;
    if (packages[key] || packages[`node_modules/${name}`]) continue;
    const platform =
      /-(android|darwin|freebsd|linux|openharmony|win32)-([a-z0-9]+)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/.exec(
        name,
      );
    if (!platform) continue;
    const [, os, cpu, abi] = platform;
    packages[`node_modules/${name}`] = {
      version,
      cpu: [cpu],
      os: [os],
      ...(abi === 'gnu' || abi === 'gnueabihf'
        ? { libc: ['glibc'] }
        : abi?.startsWith('musl')
          ? { libc: ['musl'] }
          : {}),
      optional: true,
    };
    added++;
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
