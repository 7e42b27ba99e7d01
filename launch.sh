#!/usr/bin/env bash
# Interactive entry: build what is missing, boot the machine, print the
# `minicom -D /dev/pts/N` line of every console, tear down on Ctrl-C.
# Arguments go to `duplex boot` (e.g. --profile NAME, --manual, --tmux:
# the harness, every console and a shell in one tmux window,
# docs/interactive.md); the build is of what that profile needs.
set -euo pipefail
cd "$(dirname "$0")"
profile=()
args=("$@")
for i in "${!args[@]}"; do
	case ${args[$i]} in
	--profile | -p) profile=(--profile "${args[$((i + 1))]:-}") ;;
	--profile=*) profile=(--profile "${args[$i]#--profile=}") ;;
	esac
done
make --no-print-directory deps
make --no-print-directory harness guest >/dev/null
build/duplex build "${profile[@]}"
exec build/duplex boot "$@"
