#!/usr/bin/env bash
# Debian packages rsdesk's tests and reports need: Qt's runtime libraries (offscreen; the xcb ones are
# also copied into the desktop bundle by PyInstaller), poppler
# (pdftotext/pdftoppm), qpdf, PostgreSQL for the server tests. Installs only what is missing, and
# only when running as root with apt-get (elsewhere it prints what to install and carries on).
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon-x11-0
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 fonts-dejavu-core poppler-utils qpdf postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "note: these system packages are missing: ${missing[*]} (install them with your package manager)" >&2
fi
