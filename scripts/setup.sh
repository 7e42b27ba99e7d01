#!/usr/bin/env bash
# Host setup for duplex: install the Debian packages it needs and make sure a
# libvirtd answers on qemu:///system.  Idempotent, and quick when all is done.
#
# When no libvirtd runs, we start virtlogd + libvirtd ourselves inside the
# network namespace "duplex", so every bridge and tap they create stays
# there (no uplink, no host address, no forwarding).
set -euo pipefail

NETNS=duplex
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACKAGES=(
	qemu-system-x86 qemu-utils
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system
	libvirt-clients libvirt-dev libxml2-dev
	tcl-dev tcl-expect-dev
	busybox-static musl-tools linux-source-6.1
	build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
	ccache libcmocka-dev minicom tmux iproute2 libxml2-utils pkg-config
	libsqlite3-dev
	clang rsync patch time
	python3-yaml python3-junitparser
)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

missing_packages() {
	local p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages ($(echo $missing)); run as root or: apt-get install $(echo $missing)"
	say "installing: $(echo $missing)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		die "apt-get install failed for: $(echo $missing)"
}

libvirtd_answers() {
	timeout 10 virsh -q -c qemu:///system uri >/dev/null 2>&1
}

# libvirtd refuses to start without the user it runs QEMU as; the Debian
# package creates it, but only through its maintainer scripts.
ensure_users_and_dirs() {
	getent group kvm >/dev/null || groupadd -r kvm
	getent group libvirt >/dev/null || groupadd -r libvirt
	getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
	id libvirt-qemu >/dev/null 2>&1 ||
		useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
	mkdir -p /run/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu
}

# Without udev /dev/kvm stays root:root 0600.  libvirt then finds KVM
# "unusable" for libvirt-qemu after probing it as root, throws its QEMU
# capability cache away and re-probes on every call (a minute per domain).
# Debian's udev rule gives it to group kvm; do the same.
ensure_kvm_node() {
	[ -c /dev/kvm ] || return 0
	[ "$(stat -c %G:%a /dev/kvm)" = kvm:660 ] && return 0
	[ "$(id -u)" -eq 0 ] || { say "warning: /dev/kvm is not kvm:0660; libvirt will be slow (run make deps as root)"; return 0; }
	chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
}

# /run may outlive the namespace (a machine restored from a disk image):
# a name that no longer enters one is removed and made again.
ensure_netns() {
	if ip netns list 2>/dev/null | grep -qw "$NETNS" &&
		! ip -n "$NETNS" link show lo >/dev/null 2>&1; then
		say "network namespace '$NETNS' is stale; making it again"
		ip netns del "$NETNS" 2>/dev/null || rm -f "/run/netns/$NETNS"
	fi
	ip netns list 2>/dev/null | grep -qw "$NETNS" || ip netns add "$NETNS"
	ip -n "$NETNS" link set lo up
}

# Polls a check for up to 10 s.
wait_until() {
	local i
	for i in $(seq 1 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# libvirtd hands every console log to virtlogd: without it no domain with
# a <log> starts.  Checked on its own, since it can be gone while
# libvirtd still answers; asked, not looked for, since a virtlogd that
# died leaves its socket file behind.
virtlogd_answers() {
	timeout 10 virt-admin -c virtlogd:///system version >/dev/null 2>&1
}

ensure_virtlogd() {
	virtlogd_answers && return 0
	rm -f /run/libvirt/virtlogd-sock /run/libvirt/virtlogd-admin-sock
	[ "$(id -u)" -eq 0 ] || die "virtlogd is not running and only root can start it: run 'sudo make deps'"
	ensure_users_and_dirs
	ensure_netns
	say "starting virtlogd in network namespace '$NETNS'"
	ip netns exec "$NETNS" virtlogd -d || die "virtlogd did not start"
	wait_until virtlogd_answers || die "virtlogd started but does not answer on virtlogd:///system"
}

# libvirtd under scripts/reaper.c, which reaps each QEMU as it ends: an
# init that reaps zombies late (a container's, a micro-VM's) otherwise
# adds more than a second to every domain's destroy.
build_reaper() {
	mkdir -p "$ROOT/build"
	cc -std=c11 -O2 -Wall -Wextra -Werror -o "$ROOT/build/reaper" \
		"$ROOT/scripts/reaper.c" || die "cannot build scripts/reaper.c"
}

start_libvirtd() {
	[ "$(id -u)" -eq 0 ] || die "libvirtd is not running and only root can start it: run 'sudo make deps'"
	ensure_users_and_dirs
	ensure_netns
	ensure_virtlogd
	build_reaper
	say "starting libvirtd in network namespace '$NETNS'"
	ip netns exec "$NETNS" "$ROOT/build/reaper" libvirtd -d ||
		die "libvirtd did not start (see /var/log/libvirt/)"
	wait_until libvirtd_answers || die "libvirtd started but does not answer on qemu:///system"
}

install_packages
ensure_kvm_node
libvirtd_answers || start_libvirtd
ensure_virtlogd
say "ok"
