// The platforms kindling publishes a binary for: one table shared by the local cross build
// (build.js), the platform tests (test.js) and, by hand, .github/workflows/release.yml.
'use strict';

/**
 * `rust`: the Cargo target. `build`: the target as napi's `--cross-compile` (cargo-zigbuild)
 * takes it; a `.2.17` suffix links against glibc 2.17's symbols, so the binary loads on any
 * glibc from 2.17 (CentOS 7, 2014) on. `glibcFloor`: the newest GLIBC_ symbol version allowed.
 * `local`: false for what cannot be built here (MSVC's libraries are on no reachable registry).
 */
const TARGETS = [
  { platform: 'linux-x64-gnu', rust: 'x86_64-unknown-linux-gnu', build: 'x86_64-unknown-linux-gnu.2.17', glibcFloor: '2.17', local: true },
  { platform: 'linux-arm64-gnu', rust: 'aarch64-unknown-linux-gnu', build: 'aarch64-unknown-linux-gnu.2.17', glibcFloor: '2.17', local: true },
  { platform: 'linux-x64-musl', rust: 'x86_64-unknown-linux-musl', build: 'x86_64-unknown-linux-musl', local: true },
  { platform: 'linux-arm64-musl', rust: 'aarch64-unknown-linux-musl', build: 'aarch64-unknown-linux-musl', local: true },
  { platform: 'darwin-x64', rust: 'x86_64-apple-darwin', build: 'x86_64-apple-darwin', local: true },
  { platform: 'darwin-arm64', rust: 'aarch64-apple-darwin', build: 'aarch64-apple-darwin', local: true },
  { platform: 'win32-x64-msvc', rust: 'x86_64-pc-windows-msvc', build: 'x86_64-pc-windows-msvc', local: false },
];

module.exports = { TARGETS };
