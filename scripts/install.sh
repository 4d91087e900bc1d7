#!/bin/sh
# Installs bascule from a release: detects OS and arch, fetches the tarball and
# SHA256SUMS from a local directory or a URL base, verifies the checksum
# (refuses on mismatch), installs bin/bascule under the prefix. Idempotent.
#
#   scripts/install.sh [--prefix DIR] [--from DIR|URL] [--version V]
#
#   --prefix   where to install (default /usr/local): PREFIX/bin/bascule
#   --from     a release directory or URL base holding SHA256SUMS and the
#              tarballs (default: dist/release next to this script, if any)
#   --version  the version to install (default: the one SHA256SUMS lists)
set -eu

prefix=/usr/local
from=""
version=""
die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --from) [ $# -ge 2 ] || die "--from needs a directory or URL"; from=$2; shift 2 ;;
    --version) [ $# -ge 2 ] || die "--version needs a version"; version=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

if [ -z "$from" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  [ -f "$here/../dist/release/SHA256SUMS" ] || die "no --from given and no dist/release next to this script (run: npm run release)"
  from="$here/../dist/release"
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "unsupported OS: $(uname -s) (bascule ships linux and darwin builds)" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "unsupported architecture: $(uname -m)" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fetch() { # fetch NAME -> $work/NAME
  case "$from" in
    http://*|https://*)
      if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$work/$1" "$from/$1" || die "cannot download $from/$1"
      elif command -v wget >/dev/null 2>&1; then wget -q -O "$work/$1" "$from/$1" || die "cannot download $from/$1"
      else die "neither curl nor wget is installed"; fi ;;
    *) [ -f "$from/$1" ] || die "$from/$1 does not exist"; cp "$from/$1" "$work/$1" ;;
  esac
}
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

fetch SHA256SUMS
if [ -z "$version" ]; then
  version=$(sed -n 's/^[0-9a-f]\{64\}  bascule-\(.*\)-node\.tar\.gz$/\1/p' "$work/SHA256SUMS" | head -n 1)
  [ -n "$version" ] || die "cannot tell the version from SHA256SUMS; pass --version"
fi
tarball="bascule-$version-$os-$arch.tar.gz"
expected=$(awk -v f="$tarball" '$2 == f { print $1 }' "$work/SHA256SUMS")
[ -n "$expected" ] || die "no $tarball in $from/SHA256SUMS (version $version has no $os-$arch build)"

fetch "$tarball"
actual=$(sha256 "$work/$tarball")
[ "$actual" = "$expected" ] || die "checksum mismatch for $tarball: expected $expected, got $actual; refusing to install"

tar -xzf "$work/$tarball" -C "$work"
new="$work/bascule-$version-$os-$arch/bin/bascule"
[ -x "$new" ] || die "$tarball holds no bin/bascule"
target="$prefix/bin/bascule"

if [ -f "$target" ] && [ "$(sha256 "$target")" = "$(sha256 "$new")" ]; then
  echo "bascule $version is already installed at $target"
  exit 0
fi
mkdir -p "$prefix/bin"
# Same directory, then rename: the old binary stays whole until the new one is.
cp "$new" "$target.tmp.$$"
chmod 0755 "$target.tmp.$$"
if [ "$os" = darwin ] && command -v codesign >/dev/null 2>&1; then
  codesign --force --sign - "$target.tmp.$$" >/dev/null 2>&1 || die "ad-hoc signing failed"
fi
mv -f "$target.tmp.$$" "$target"
echo "installed bascule $version ($os-$arch) at $target"
