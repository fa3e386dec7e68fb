#!/usr/bin/env bash
# What `npm run build:platforms` and `npm run test:platforms` need on Debian (docs/INSTALL.md,
# "Building every platform here"): qemu-user and the arm64 sysroot, LLVM's Mach-O tools, musl's
# loader, Zig and cargo-zigbuild from PyPI, and the Rust targets.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
PACKAGES="qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross llvm"
if ! dpkg -s $PACKAGES >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PACKAGES >/dev/null
fi
python3 -m pip install -q ziglang cargo-zigbuild 2>&1 | grep -v "Running pip as the 'root' user" || true
rustup target add aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-unknown-linux-musl \
  x86_64-apple-darwin aarch64-apple-darwin >/dev/null
