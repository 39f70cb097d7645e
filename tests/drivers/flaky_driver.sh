#!/usr/bin/env bash
# A driver that forwards every request to `memconform driver` but misbehaves
# once, at request K, the first time (a marker file remembers it across the
# restarts the runner makes):
#   crash    exits with status 3 after a line on stderr
#   hang     never answers
#   flood    answers with a 100 MB line
#   garbage  answers with a line that is not JSON
# A message of protocol 2 (op at a time) is one line too, so it relays both.
# Usage: flaky_driver.sh MEMCONFORM_BINARY MODE K MARKER_FILE [PROTOCOL]
mc=$1 mode=$2 k=$3 marker=$4 protocol=${5:-1}
coproc DRIVER { "$mc" driver --protocol "$protocol"; }
IFS= read -r hello <&"${DRIVER[0]}"
printf '%s\n' "$hello"
n=0
while IFS= read -r line; do
  n=$((n + 1))
  if ((n == k)) && [[ ! -e $marker ]]; then
    touch "$marker"
    case $mode in
      crash) echo "flaky driver: giving up on request $n" >&2; exit 3 ;;
      hang) echo "flaky driver: sleeping on request $n" >&2; sleep 1000 ;;
      flood) head -c 100000000 /dev/zero | tr '\0' a; echo ;;
      garbage) echo "flaky driver: this is not JSON" ;;
    esac
    continue
  fi
  printf '%s\n' "$line" >&"${DRIVER[1]}"
  IFS= read -r reply <&"${DRIVER[0]}"
  printf '%s\n' "$reply"
done
