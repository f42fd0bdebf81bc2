#!/usr/bin/env bash
# check-banned.sh — fail when C sources call libc functions we ban (after
# git's banned.h and curl's checksrc): unbounded copies and formatting,
# non-reentrant time and tokenising calls, unchecked number parsing.
# Use snprintf, memcpy with explicit bounds, core/buf.h, gmtime_r,
# localtime_r, strtok_r and strtol instead.
set -euo pipefail
dir=${1:-src}
banned='strcpy|strcat|strncpy|strncat|sprintf|vsprintf|gets|strtok|gmtime|localtime|atoi|atol'
hits=$(grep -rnE --include='*.c' --include='*.h' "(^|[^_[:alnum:]])($banned)[[:space:]]*\(" "$dir" || true)
if [ -n "$hits" ]; then
  echo "banned function calls:"
  echo "$hits"
  exit 1
fi
echo "no banned function calls in $dir"
