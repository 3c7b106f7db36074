#!/bin/sh
# Idempotent, non-interactive install of everything colorcom builds, tests and runs with.
# Fast path: when every package is already installed, no apt-get runs at all.
set -eu
PKGS="build-essential make gcc clang libclang-rt-14-dev sparse pkg-config
linux-headers-amd64 linux-image-amd64 kmod
libxen-dev xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils
qemu-system-x86 qemu-system-xen busybox-static cpio gzip iperf3 ethtool iproute2
gnuplot-nox jq python3 dkms libssl-dev dnsmasq-base
debhelper dh-dkms fakeroot dpkg-dev lintian
rpcsvc-proto libtirpc-dev"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all $(echo $PKGS | wc -w) packages present"
	exit 0
fi
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# linux-image-amd64 pulls the kernel the lab boots; the headers must match it.
$SUDO apt-get install -y -q --no-install-recommends $missing
# The guest module is built against the newest headers; the lab boots the matching image.
kver=$(ls -d /usr/src/linux-headers-*-amd64 | sed 's,.*/linux-headers-,,' | sort -V | tail -n1)
[ -e "/boot/vmlinuz-$kver" ] || { echo "deps: /boot/vmlinuz-$kver missing (headers and image disagree)" >&2; exit 1; }
echo "deps: done (kernel $kver)"
