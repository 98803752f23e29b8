#!/usr/bin/env bash
# First and warm `make check EX=sigmoid,forward` of a fresh release (the shipped stubs), on three
# machines, for this checkout and another (BEFORE: e.g. `git worktree add /tmp/before <commit>`):
#   laptop  not root, no bubblewrap, the system's Python    (../shared/tools/student-machine laptop)
#   root    root, bubblewrap failing, a private folder       (../shared/tools/student-machine root)
#   bwrap   root with a working bubblewrap (this machine)
# The first run creates .venv and installs requirements.txt from the registry (pip's cache warm).
#   bench/student_machines.sh BEFORE [STUDENT_MACHINE]     (as root; prints one line per case)
set -u
before=$(cd "$1" && pwd); after=$(cd "$(dirname "$0")/.." && pwd)
tool=${2:-$after/../shared/tools/student-machine}
py=$after/.venv/bin/python
run() {  # label command...: "label S s (exit N)"
  local label=$1; shift; local start; start=$(date +%s.%N)
  "$@" >>"$log" 2>&1; local code=$?
  printf '%s %.1f s (exit %s)' "$label" "$(echo "$(date +%s.%N) - $start" | bc)" "$code"
}
fake=$(mktemp -d); printf '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n' >"$fake/bwrap"
chmod 755 "$fake/bwrap"
for which in before after; do
  repo=$before; [ "$which" = after ] && repo=$after
  rel=$(mktemp -d)/release
  (cd "$repo" && "$py" -m autograder release "$rel" --instructor-repo course/x --instructor-ref v1 >/dev/null)
  for kind in laptop root bwrap; do
    log=$(mktemp)
    case $kind in
      bwrap) work=$(mktemp -d)/release; cp -a "$rel" "$work"
             first=$(run first make -C "$work" --no-print-directory check EX=sigmoid,forward)
             warm=$(run warm make -C "$work" --no-print-directory check EX=sigmoid,forward) ;;
      laptop) first=$(run first "$tool" laptop "$rel" -- make check EX=sigmoid,forward)
              copy=$(grep -o "copy in [^ ]*" "$log" | head -1 | cut -d' ' -f3)
              warm=$(run warm su -s /bin/bash student-laptop -c \
                     "cd $copy && PATH=/home/student-laptop/.no-bwrap-bin make check EX=sigmoid,forward") ;;
      root) first=$(run first "$tool" root "$rel" -- make check EX=sigmoid,forward)
            copy=$(grep -o "copy in [^ ]*" "$log" | head -1 | cut -d' ' -f3)
            warm=$(run warm env PATH="$fake:$PATH" make -C "$copy" --no-print-directory check EX=sigmoid,forward) ;;
    esac
    echo "$which $kind: $first, $warm; the checker's last words: $(grep -E 'autograder failed|Your code ran' "$log" | tail -1 | cut -c1-110)"
  done
done
