#!/usr/bin/env bash
# Makes a SquashFS whose /var/lib/rpm/rpmdb.sqlite is a real RPM database:
# Debian's rpm builds two small noarch packages (dropbear 2019.78-3 with
# epoch 1, and hello-iotcop 1.0-1, a package no signature knows) and
# records them with `rpm -i --justdb --nodeps` into a database made by
# `rpm --initdb`. Exit 77 when rpm, rpmbuild or mksquashfs is missing.
#
#   make_rpmdb.sh WORKDIR IMAGE
set -euo pipefail
work=$1 image=$2
for tool in rpm rpmbuild mksquashfs; do
  command -v "$tool" >/dev/null || { echo "no $tool (apt-get install rpm squashfs-tools)"; exit 77; }
done
rm -rf "$work"; mkdir -p "$work/db" "$work/root/var/lib/rpm"
spec() {
  printf 'Name: %s\nVersion: %s\nRelease: %s\n%sSummary: iotcop test package\nLicense: MIT\nBuildArch: noarch\n%%description\ntest\n%%files\n' \
    "$1" "$2" "$3" "${4:+Epoch: $4
}" >"$work/$1.spec"
  rpmbuild --quiet --define "_topdir $work/top" -bb "$work/$1.spec" >/dev/null 2>&1
}
spec dropbear 2019.78 3 1
spec hello-iotcop 1.0 1
rpm --dbpath "$work/db" --initdb
rpm --dbpath "$work/db" -i --justdb --nodeps "$work"/top/RPMS/noarch/*.rpm 2>/dev/null
cp "$work/db/rpmdb.sqlite" "$work/root/var/lib/rpm/rpmdb.sqlite"
mksquashfs "$work/root" "$image" -quiet -noappend -all-root >/dev/null
