#!/bin/bash
# dprox training driver: alternates SR and restore training in wall-clock
# chunks on one thread, resuming both from models/checkpoints/*.pt.
# A model whose schedule is complete (train.py exits 3) is skipped; the
# driver ends when both are complete.
#
# Start detached (from the repository root):
#   setsid nohup nice -n 10 models/train/run.sh > /tmp/dprox-train.out 2>&1 < /dev/null &
# Stop (the running train.py saves its checkpoint on SIGTERM):
#   kill -TERM -- -<PID of run.sh>      (setsid makes it the process-group leader)
# Chunk lengths in minutes: SR_MIN (default 30), RST_MIN (default 30).
cd "$(dirname "$0")/../.." || exit 1
SR_MIN=${SR_MIN:-30}
RST_MIN=${RST_MIN:-30}
PY=/usr/bin/python3
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while true; do
  complete=0
  for kind in sr rst; do
    if [ $kind = sr ]; then min=$SR_MIN; else min=$RST_MIN; fi
    echo "$(date -u +%FT%TZ) driver: $kind for $min min"
    $PY models/train/train.py $kind --minutes $min &
    child=$!
    wait $child
    rc=$?
    if [ $rc = 3 ]; then complete=$((complete+1)); elif [ $rc != 0 ]; then echo "train.py $kind failed ($rc)"; sleep 60; fi
  done
  [ $complete = 2 ] && { echo "driver: both schedules complete"; exit 0; }
done
