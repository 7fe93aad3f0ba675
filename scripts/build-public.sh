#!/usr/bin/env bash
# Writes the front end as nginx serves it: a copy of public/ whose assets live in assets/<hash>/ and whose pages
# name that folder. <hash> is the first 12 hex digits of the SHA-256 of `sha256sum` over every file in
# public/assets/, sorted by path.
#
# Why: nginx serves /assets/ cached for a year and never revalidated, and HTML revalidated on every load
# (deploy/nginx.conf), so a changed asset needs a new URL and the page always names the current one. The sources
# keep stable paths, and with them their history in git; only the built copy, never committed, carries the
# hash. Modules import each other by relative path, so nothing inside the folder names it. A page line
# `<!-- include: partials/NAME.html -->` is replaced by that file (the <head> lines every page shares);
# partials/ itself is not copied.
#
# OUT_DIR may be the folder nginx serves: the assets are written before the pages that name them, each page by
# a rename, and older assets/<hash>/ folders stay, so no page is ever served without its assets, and a page
# loaded just before a build still finds its own. Delete an old folder once no page in use names it.
#
# usage: scripts/build-public.sh OUT_DIR [SOURCE_DIR]      prints the hash; SOURCE_DIR defaults to public/
set -euo pipefail

[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
source_dir=$(realpath -- "${2:-$(dirname "$0")/../public}")
out_dir=$(realpath -m -- "$1")
case "$out_dir/" in
    "$source_dir"/*) echo "build-public.sh: OUT_DIR must lie outside $source_dir" >&2; exit 2 ;;
esac
for entry in "$source_dir"/*/; do
    case "$(basename "$entry")" in assets | partials | '*') continue ;; esac
    echo "build-public.sh: unexpected folder $entry (only assets/ and partials/ are known)" >&2
    exit 2
done

content_hash() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
}

hash=$(content_hash "$source_dir/assets")
mkdir -p "$out_dir/assets"
staging=""
trap 'rm -rf "$staging"' EXIT
if [ ! -d "$out_dir/assets/$hash" ] || [ "$(content_hash "$out_dir/assets/$hash")" != "$hash" ]; then
    # A dot folder: nginx never serves one, so a half-copied folder is never seen.
    staging=$(mktemp -d "$out_dir/assets/.staging.XXXXXX")
    chmod 755 "$staging"
    cp -R "$source_dir/assets/." "$staging/"
    rm -rf "$out_dir/assets/$hash"
    mv "$staging" "$out_dir/assets/$hash"
fi

# Prints page $1 with its includes expanded and every /assets/ reference pointing into the hashed folder.
readonly include_pattern='^[[:space:]]*<!-- include: (partials/[a-z0-9-]+\.html) -->[[:space:]]*$'
render_page() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ $include_pattern ]]; then
            cat "$source_dir/${BASH_REMATCH[1]}" || exit
        else
            printf '%s\n' "$line"
        fi
    done <"$1" | sed -E "s#(src|href)=\"/assets/#\1=\"/assets/$hash/#g"
}

for file in "$source_dir"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    staging=$out_dir/.$name.staging
    if [[ $name == *.html ]]; then render_page "$file" >"$staging"; else cp "$file" "$staging"; fi
    chmod 644 "$staging"
    mv "$staging" "$out_dir/$name"
done
staging=""
echo "$hash"
