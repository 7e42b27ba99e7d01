#!/usr/bin/env bash
# The harness's shape, checked (harness/README.md): every include in
# harness/ goes down the layers or stays in its folder, another folder is
# reached only through its public header D/D.h, and no include cycle
# exists between files or between folders.  Prints TAP (tests/run.sh
# counts it); exits 1 on any violation, naming the file and line.
#   scripts/layers.sh          check
#   scripts/layers.sh --graph  print the folder graph (edges "from to")
set -uo pipefail
cd "$(dirname "$0")/.."

# Lower numbers are lower layers; folders of one layer do not include
# each other.  common/ (the window ABI, shared with the guests) is layer 0.
# build/ stands beside machine/, not below it: a machine boots what was
# built and never builds anything itself.
declare -A RANK=([common]=0 [base]=1 [console]=2 [report]=2
	[build]=3 [machine]=3 [scenario]=4 [cmd]=5)

violations=()
file_edges=()
declare -A folder_edges=()

# resolve FOLDER HEADER: the file an include names, or "" if none.
resolve() {
	local folder=$1 h=$2
	if [[ $h == */* ]]; then
		[ -f "harness/$h" ] && echo "harness/$h"
	elif [ -f "$folder/$h" ]; then
		echo "$folder/$h"
	elif [ -f "common/$h" ]; then
		echo "common/$h"
	fi
}

check_include() {
	local file=$1 line=$2 h=$3 folder dir target to
	dir=$(dirname "$file")
	folder=${dir#harness/}
	target=$(resolve "$dir" "$h")
	if [ -z "$target" ]; then
		violations+=("$file:$line: \"$h\" is neither in $dir/, nor common/, nor a folder's public header")
		return
	fi
	file_edges+=("$file $target")
	to=$(dirname "$target")
	to=${to#harness/}
	[ "$to" = "$folder" ] && return
	if [[ $h == */* ]] && [ "$h" != "$to/$to.h" ]; then
		violations+=("$file:$line: \"$h\" is private to $to/: include its public header \"$to/$to.h\"")
	elif [ -z "${RANK[$to]:-}" ] || [ -z "${RANK[$folder]:-}" ]; then
		violations+=("$file:$line: folder $folder/ or $to/ has no layer in scripts/layers.sh")
	elif [ "${RANK[$to]}" -ge "${RANK[$folder]}" ]; then
		violations+=("$file:$line: $folder/ (layer ${RANK[$folder]}) includes $to/ (layer ${RANK[$to]}): includes go down the layers only")
	fi
	folder_edges["$folder $to"]=1
}

for file in harness/*/*.[ch] common/*.[ch]; do
	while IFS=: read -r line h; do
		check_include "$file" "$line" "$h"
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
		 sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
done
for f in harness/*.[ch]; do
	[ -e "$f" ] && violations+=("$f: code lives in a subsystem folder, not in harness/ itself")
done
for d in harness/*/; do
	d=${d%/}
	[ -f "$d/$(basename "$d").h" ] ||
		violations+=("$d/: no public header $d/$(basename "$d").h")
done

if [ "${1:-}" = "--graph" ]; then
	printf '%s\n' "${!folder_edges[@]}" | sort
	exit 0
fi

n=0 failed=0
tap() {	# tap OK NAME [DETAIL...]
	local ok=$1 name=$2
	shift 2
	n=$((n + 1))
	if [ "$ok" -eq 0 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		failed=$((failed + 1))
		printf '# %s\n' "$@"
	fi
}

tap "${#violations[@]}" "every include goes down the layers or stays in its folder, through public headers" "${violations[@]}"
# tsort names a loop on stderr and fails when the graph has one.
loop=$(printf '%s\n' "${file_edges[@]}" | tsort 2>&1 >/dev/null)
tap "$([ -z "$loop" ]; echo $?)" "no include cycle between files (${#file_edges[@]} includes)" "$loop"
loop=$(printf '%s\n' "${!folder_edges[@]}" | tsort 2>&1 >/dev/null)
tap "$([ -z "$loop" ]; echo $?)" "no include cycle between folders (${#folder_edges[@]} folder edges)" "$loop"
echo "1..$n"
[ "$failed" -eq 0 ]
