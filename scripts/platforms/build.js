#!/usr/bin/env node
// `npm run build:platforms [-- <platform>...]`: cross-builds the addon for every platform kindling
// publishes that can be linked on this Linux machine (napi's `--cross-compile`, i.e.
// cargo-zigbuild with Zig from PyPI) and drops each binary into its npm/<platform>/ package, then
// checks what each file is (docs/INSTALL.md, "Building every platform here").
'use strict';
const { execFileSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { TARGETS } = require('./targets');
const { inspectBinary } = require('./inspect');

const root = path.resolve(__dirname, '..', '..');

/** The binary's path in its npm package. */
const packagedBinary = (platform) => path.join(root, 'npm', platform, `kindling.${platform}.node`);

/** Builds one target into npm/<platform>/ and returns the inspection of the result. */
function buildOne(target, { log = console.log } = {}) {
  const out = mkdtempSync(path.join(tmpdir(), `kindling-${target.platform}-`));
  try {
    const started = Date.now();
    const napi = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
    execFileSync(process.execPath, [napi, 'build', '--platform', '--release', '--manifest-path', 'crates/kindling-node/Cargo.toml',
      '--package-json-path', 'package.json', '--output-dir', out, '--target', target.build, '--cross-compile'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    const built = path.join(out, `kindling.${target.platform}.node`);
    if (!existsSync(built)) throw new Error(`build:platforms: napi built no kindling.${target.platform}.node for ${target.build}`);
    copyFileSync(built, packagedBinary(target.platform));
    const seconds = (Date.now() - started) / 1000;
    const info = inspectBinary(packagedBinary(target.platform), target);
    log(`${target.platform}: ${info.summary} (${seconds.toFixed(0)} s)`);
    return { ...info, seconds };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function selected(names) {
  const local = TARGETS.filter((t) => t.local);
  if (names.length === 0) return local;
  return names.map((n) => {
    const t = TARGETS.find((x) => x.platform === n);
    if (!t) throw new RangeError(`build:platforms: unknown platform ${n}; expected one of ${TARGETS.map((x) => x.platform).join(', ')}`);
    if (!t.local) throw new RangeError(`build:platforms: ${n} cannot be linked on Linux (MSVC's libraries are on no reachable registry); the release workflow builds it on a Windows runner`);
    return t;
  });
}

if (require.main === module) {
  const results = selected(process.argv.slice(2)).map((t) => buildOne(t));
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) {
    console.error(`build:platforms: ${bad.map((r) => `${r.platform}: ${r.problems.join('; ')}`).join('\n')}`);
    process.exit(1);
  }
}

module.exports = { buildOne, packagedBinary, selected };
