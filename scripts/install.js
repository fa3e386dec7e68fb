#!/usr/bin/env node
// `npm install` in a clone of this repository (the `prepare` lifecycle script): use a prebuilt
// binary when one matches this platform, otherwise build the addon from source with cargo, then
// compile the TypeScript. Users installing the published package never run this: they get the
// binary from the matching `kindling-<platform>` optional dependency.
'use strict';
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });

function prebuiltLoads() {
  if (process.env.KINDLING_BUILD_FROM_SOURCE) return false;
  try {
    require(path.join(root, 'native', 'index.js'));
    return true;
  } catch {
    return false;
  }
}

if (prebuiltLoads()) {
  console.log('kindling: a native binary for this platform is present; not building from source.');
  run('npx tsc -p tsconfig.build.json');
} else {
  console.log('kindling: no prebuilt binary matches this platform; building the addon with cargo.');
  run('npm run build');
}
