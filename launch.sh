#!/usr/bin/env bash
# Interactive entry: build what is missing, boot the primary, print the
# `minicom -D /dev/pts/N` line of its console, tear down on Ctrl-C.
# Arguments go to `duplex boot` (e.g. --profile NAME).
set -euo pipefail
cd "$(dirname "$0")"
make --no-print-directory deps
make --no-print-directory harness >/dev/null
build/duplex build
exec build/duplex boot "$@"
