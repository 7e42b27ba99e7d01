#!/usr/bin/env bash
# Lint (no machine, no service): the pipeline templates a team copies into
# its kernel repository, ci/gitlab-ci.yml and ci/github-actions.yml, parse
# as YAML, have the shape docs/ci.md describes (4 shards, a merge job that
# needs them and publishes JUnit), and every duplex command line in them
# uses only commands and options that `build/duplex ... --help` documents.
# The checks themselves: tests/ci_templates.py.
source "$(dirname "$0")/lib.sh"

py=$(python_with yaml)
if [ -z "$py" ]; then
	tap 1 "python3 with its yaml module" "no python3 here imports yaml: run make deps (package python3-yaml)"
	tap_done
	exit
fi
if [ ! -x "$DUPLEX" ]; then
	tap 1 "build/duplex is built" "$DUPLEX is missing: run make harness"
	tap_done
	exit
fi

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$py" "$ROOT/tests/ci_templates.py" "$ROOT" "$DUPLEX" >"$out" 2>"$err"
status=$?
while IFS=$'\t' read -r verdict name detail; do
	case $verdict in
	ok) tap 0 "$name" ;;
	skip) tap 0 "$name # SKIP $detail" ;;
	*) tap 1 "$name" "$detail" ;;
	esac
done <"$out"
tap "$status" "the checks ran to their end (tests/ci_templates.py exit $status)" "$(cat "$err")"
tap_done
