#!/bin/bash
# Export the latest checkpoints to ONNX, score them through onnxruntime-web
# (Node, 1 thread), benchmark them, and print the figures for the model
# card.  Safe to run while training continues (checkpoints are written
# atomically).  Results go to models/results/*.json (small, committed).
#   models/train/finish.sh
set -e
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
mkdir -p models/results
$PY models/train/evaluate.py bicubic --json models/results/bicubic.json
for kind in sr rst; do
  [ -f models/checkpoints/$kind.pt ] || continue
  $PY models/train/export.py $kind 2>/dev/null
  name=$([ $kind = sr ] && echo dprox-sr-x4 || echo dprox-restore)
  $PY models/train/evaluate.py $kind --onnx models/$name.onnx --json models/results/$kind-ort.json
done
node bench/sr-models.mjs --json models/results/bench.json
$PY models/train/card.py
