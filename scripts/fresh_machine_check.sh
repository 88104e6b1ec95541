#!/usr/bin/env bash
# Proves that the README's two commands work on a bare Debian 12 machine.
#
# Makes a clean Debian 12 root in a folder (debootstrap --variant=minbase, from
# Debian's own packages), copies this checkout (tracked and untracked-but-not-
# ignored files, as a clone would have them) and ../shared beside it, and runs
# inside it, under chroot, exactly the two commands that README.md lists:
#   (a) set up, build, train LeNet on Fashion-MNIST;
#   (b) set up, build, pass every test.
# Nothing installed on this machine leaks in: the root has only what
# debootstrap's minbase gives plus what scripts/setup.sh installs, and NVIDIA's
# CUDA toolkit (not a Debian package; preinstalled under /usr/local/cuda on the
# project's machines), bound read-only where this machine has it.
#
# Usage: scripts/fresh_machine_check.sh [ROOT_DIR]     (as root)
#   ROOT_DIR            where to make the root (default /var/tmp/netc-fresh);
#                       it is deleted and made anew.
#   NETC_FRESH_NO_CUDA=1  leave /usr/local/cuda out (netc then builds without
#                       the cuda target, and its tests are unsupported).
#   NETC_FRESH_CCACHE=1 share this machine's ccache with the root's build
#                       (faster; a cache holds object files, not packages, so
#                       a missing package still fails configure or link).
# Run it whenever scripts/setup.sh or a CMakeLists.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
root=${1:-/var/tmp/netc-fresh}
mirror=${NETC_FRESH_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (debootstrap, chroot)" >&2; exit 2; }
[ -d ../shared ] || { echo "error: ../shared is missing beside the checkout" >&2; exit 2; }
start=$(date +%s)
stamp() { echo "== $(($(date +%s) - start)) s: $*"; }

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
fi

mounts=()
cache_env=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { mkdir -p "$2"; mount --bind "$1" "$2"; mounts+=("$2"); }

stamp "debootstrap bookworm (minbase) into $root"
rm -rf "$root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log"; exit 1; }
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"

stamp "copy the checkout and ../shared"
mkdir -p "$root/work/main" "$root/work/shared"
git ls-files -z --cached --others --exclude-standard |
  tar --null -T - -cf - | tar -xf - -C "$root/work/main"
cp -a .git "$root/work/main/.git"
cp -a ../shared/. "$root/work/shared/"

mount -t proc proc "$root/proc" && mounts+=("$root/proc")
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/dev/shm" 2>/dev/null && mounts+=("$root/dev/shm") || true
if [ -d /usr/local/cuda/include ] && [ "${NETC_FRESH_NO_CUDA:-0}" != 1 ]; then
  cuda_dir=$(readlink -f /usr/local/cuda)
  bind "$cuda_dir" "$root$cuda_dir"
  mount -o remount,bind,ro "$root$cuda_dir"
  [ "$cuda_dir" = /usr/local/cuda ] || ln -s "$cuda_dir" "$root/usr/local/cuda"
fi
if [ "${NETC_FRESH_CCACHE:-0}" = 1 ]; then
  bind "${CCACHE_DIR:-$HOME/.cache/ccache}" "$root/root/.cache/ccache"
  # The root's clang is freshly unpacked: compare compilers by content, not
  # by modification time, or nothing would hit.
  cache_env=(CCACHE_COMPILERCHECK=content)
fi

# The README's two commands, read from README.md so they cannot drift apart.
mapfile -t commands < <(grep -E '^\./scripts/setup\.sh && ' README.md | sed 's/ *#.*$//')
[ ${#commands[@]} -eq 2 ] || { echo "error: README.md should list two commands" >&2; exit 1; }
for c in "${commands[@]}"; do
  stamp "inside the fresh root: $c"
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/sbin:/usr/bin:/sbin:/bin "${cache_env[@]}" \
    /bin/bash -c "cd /work/main && $c"
done
stamp "PASS: both README commands ran on a fresh Debian 12 root"
