#!/bin/sh
# Fingerprints the tree as it is now, in a copy ($TMPDIR/lockproof-equiv/<name>), so that editing
# goes on meanwhile; the run lands in that copy's bench/out/equiv/<name>:
#   sh bench/explore/equiv-snap.sh <name> [git ref: that commit's tree instead]
#   npx tsx bench/explore/equiv.ts compare <dir of one> <dir of the other>
set -e
cd "$(dirname "$0")/../.."
name=$1
dir=${TMPDIR:-/tmp}/lockproof-equiv/$name
rm -rf "$dir"
mkdir -p "$dir"
if [ -n "$2" ]; then
  git archive "$2" | tar -xf - -C "$dir"
  # The harness as it is here (the ref may predate it).
  mkdir -p "$dir/bench/explore"
  cp -r bench/explore/equiv bench/explore/equiv.ts "$dir/bench/explore/"
else
  tar --exclude=./node_modules --exclude=./bench/out --exclude=./.git -cf - . | tar -xf - -C "$dir"
fi
ln -s "$(pwd)/node_modules" "$dir/node_modules"
cd "$dir"
npx tsx bench/explore/equiv.ts save "$name"
echo "fingerprints: $dir/bench/out/equiv/$name"
