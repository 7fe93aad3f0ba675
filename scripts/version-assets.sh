#!/usr/bin/env bash
# Names the front end's asset folder after its content: public/assets/<hash>/, <hash> being the first 12 hex
# digits of the SHA-256 of `sha256sum` over every file in it, sorted by path. nginx serves /assets/ as cached for
# a year and never revalidated, so a changed asset must get a new URL: run this after any change under
# public/assets/. It renames the folder and rewrites the references in public/*.html (HTML is never cached).
# Modules import each other by relative path, so nothing inside the folder names it.
#
# usage: scripts/version-assets.sh          rename if needed; prints the hash
#        scripts/version-assets.sh --check  change nothing; exit 1 if the folder's name is not its hash
set -euo pipefail
cd "$(dirname "$0")/.."

assets=public/assets
folders=("$assets"/*/)
if [ "${#folders[@]}" -ne 1 ] || [ ! -d "${folders[0]}" ]; then
    echo "version-assets.sh: expected exactly one folder in $assets/" >&2
    exit 2
fi
current=$(basename "${folders[0]}")
hash=$(cd "$assets/$current" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)

if [ "$current" != "$hash" ]; then
    if [ "${1:-}" = --check ]; then
        echo "version-assets.sh: $assets/$current/ should be named $hash; run scripts/version-assets.sh" >&2
        exit 1
    fi
    mv "$assets/$current" "$assets/$hash"
    sed -i "s#/assets/$current/#/assets/$hash/#g" public/*.html
fi
echo "$hash"
