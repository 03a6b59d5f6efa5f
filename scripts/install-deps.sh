#!/usr/bin/env bash
# Installs everything iotcop needs to build, test and benchmark on Debian 12.
# Run as root (or through sudo). Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
  libcmocka-dev libvectorscan-dev libarchive-dev libsquashfs-dev libext2fs-dev
  zlib1g-dev liblzma-dev libzstd-dev liblz4-dev liblzo2-dev libbz2-dev
  libssl-dev libseccomp-dev libcrypt-dev libsqlite3-dev
  libcurl4-openssl-dev # vulndb update over HTTPS
  libssh-dev # ssh logins of the live audit
  libyaml-dev # manufacturer declarations in YAML (--declaration)
)
# Real tools used to build fixtures and to produce reference listings.
TEST_PKGS=(
  squashfs-tools squashfs-tools-ng u-boot-tools device-tree-compiler
  libarchive-tools cpio e2fsprogs lzop lz4 zstd xz-utils bzip2 gzip
  p7zip-full zip unzip binutils genisoimage python3 python3-jsonschema jq fakeroot
  dpkg-dev ca-certificates openssl debian-archive-keyring
  john-data # /usr/share/john/password.lst: the --wordlist of tests/cli/credentials.sh
  checksec # Debian's checksec: tests/cli/hardening.sh compares it with iotcop
  mtd-utils util-linux-extra cramfsswap # mkfs.jffs2/sumtool/jffs2dump, mkfs.cramfs/fsck.cramfs: tests/cli/flashfs.sh
  debootstrap # a clean Debian root for tests/cli/debian_root.sh
  unyaffs android-sdk-libsparse-utils mkbootimg # unyaffs, img2simg/simg2img, mkbootimg/unpack_bootimg: tests/cli/yaffs.sh
  busybox-static vsftpd lighttpd lighttpd-mod-openssl mosquitto dropbear-bin tcpdump iproute2 # real servers of the live lab (tests/live/lab.sh): tests/cli/device_*.sh
  snmpd libcoap3-bin avahi-daemon # the UDP servers of the live lab: tests/cli/device_udp.sh
  busybox-static # `busybox --list`, the applet reference of tests/unit/test_components.c
  rpm # rpmbuild and a real rpmdb.sqlite: tests/cli/lib/make_rpmdb.sh (components.sh, firmware_vulndb.sh)
  mtd-utils # mkfs.ubifs/ubinize: tests/fixtures/make-ubi.sh and tests/cli/ubi.sh; jffs2reader: bench/flashfs.sh
  chromium # headless rendering of the HTML report: tests/cli/report_formats.sh
  python3-cryptography # AES for the encrypted D-Link fixtures: tests/fixtures/gen-vendor.py (tests/cli/vendor.sh)
)
BENCH_PKGS=(binwalk hyperfine time
  nmap hydra # the peer combination of bench/live.sh (nmap -sV + NSE scripts, hydra)
  testssl.sh strace # the peers and connection count of bench/device_tls.sh
)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
if [ "${IOTCOP_BENCH:-0}" = 1 ]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
