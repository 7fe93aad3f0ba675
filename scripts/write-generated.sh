# Sourced, not run, by the scripts that compile a checked-in file into a Swift source (openapi/embed.sh,
# Sources/Auth/Password/CommonPasswords/embed.sh). The caller defines `render`, which prints the Swift file, and
# `die MESSAGE`, then calls `write_generated TARGET COMMAND "$@"`:
#   no argument   writes TARGET from `render` through a temporary file, so a failed render leaves the old one
#   --check       changes nothing, and dies ("TARGET is stale: run COMMAND") unless TARGET is what `render` prints
write_generated() {
    local target=$1 command=$2
    shift 2
    if [ "${1:-}" = --check ]; then
        render | cmp -s - "$target" || die "$target is stale: run $command"
        return 0
    fi
    [ $# -eq 0 ] || die "usage: $command [--check]"
    generated_temporary=$(mktemp "$target.XXXXXX")
    trap 'rm -f "$generated_temporary"' EXIT
    render >"$generated_temporary"
    chmod 0644 "$generated_temporary"  # mktemp makes it 0600
    mv "$generated_temporary" "$target"
    trap - EXIT
    echo "wrote $target" >&2
}
