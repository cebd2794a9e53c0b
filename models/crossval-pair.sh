#!/usr/bin/env bash
# Cross-validation of the image-pair network's recipe over the eleven development pairs, the way
# the "Coarse imagery" figures of MODEL_CARD.md were measured: three folds, each trained with
# train.sh's pair recipe on the other pairs (train.py --leave-out) plus any extra train.py
# arguments given, exported beside a copy of the sidecar, and scored on its held-out pairs as
# they are and made coarser (models/eval-sets.ts writes /tmp/lingwei-eval/coarse); the counts are
# pooled over the folds, so that every pair is scored once by a network that never saw it.
#   models/crossval-pair.sh NAME [train.py arguments...]   e.g. models/crossval-pair.sh coarse --coarsen 0.3
# MIRRORS=2 (or 4) scores the same folds with that many mirrored looks a chip (network_chips.pair
# .mirrors in the fold's sidecar; model-spec.ts); its scores are kept apart, under NAME-m2.
# Needs the pair export of train.sh (models/.cache/pairdata) and about 12 minutes a fold on 2 cores.
# A fold whose checkpoint exists under models/.cache/crossval/ is scored again, not retrained.
# DECISION=1 scores each fold's network with its decision point moved as npm run train moves the
# shipped one (models/decision_bias.py, chosen on the pairs the fold trained on); kept under NAME-d.
# ENSEMBLE_OF="NAME1 NAME2 ..." makes each fold's network the ensemble of those runs' fold networks
# (models/average_networks.py: their decoders over the one encoder) instead of training one, e.g.
#   models/crossval-pair.sh coarse --coarsen 0.3; models/crossval-pair.sh coarse-s32 --coarsen 0.3 --seed 32
#   ENSEMBLE_OF="coarse coarse-s32" models/crossval-pair.sh ensemble2
# DATE_SWAP=1 (with ENSEMBLE_OF) has that ensemble's decoders read each pair from both dates' sides
# too (average_networks.py --date-swap); DATE_SWAP=both for the demolished map as well (--both-maps,
# for decoders trained with --swap-xbd).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: models/crossval-pair.sh NAME [train.py arguments...]}
shift
PY=/usr/bin/python3
DATA=models/.cache/pairdata
COARSE=${COARSE:-/tmp/lingwei-eval/coarse}
MIRRORS=${MIRRORS:-}
ENSEMBLE_OF=${ENSEMBLE_OF:-}
DECISION=${DECISION:-}
DATE_SWAP=${DATE_SWAP:-}
[[ -z $DATE_SWAP || -n $ENSEMBLE_OF ]] || { echo "DATE_SWAP=1 goes with ENSEMBLE_OF (an ensemble's decoders read both sides)" >&2; exit 2; }
scored=$name${MIRRORS:+-m$MIRRORS}${DECISION:+-d}
OUT=models/.cache/crossval
[[ -d $DATA ]] || { echo "no $DATA: run the pair export of models/train.sh first" >&2; exit 2; }
[[ -d $COARSE ]] || { echo "no $COARSE: run npx tsx models/eval-sets.ts first" >&2; exit 2; }
declare -A FOLDS=(
  [F1]="levir_cd/train_36_0512_0512 egy_bcd/train_1 egy_bcd/val_2"
  [F2]="levir_cd/train_412_0512_0768 egy_bcd/train_2 egy_bcd/val_3"
  [F3]="levir_cd/val_27_0000_0256 levir_cd/train_386_0512_0768 egy_bcd/train_3 egy_bcd/train_4 egy_bcd/val_1"
)
mkdir -p "$OUT"
for fold in F1 F2 F3; do
  held=(${FOLDS[$fold]})
  ckpt="$OUT/$name-$fold.pt"
  if [[ ! -f $ckpt && -n $ENSEMBLE_OF ]]; then
    $PY models/average_networks.py --out "$ckpt" ${DATE_SWAP:+--date-swap} $([[ $DATE_SWAP == both ]] && echo --both-maps) $(for m in $ENSEMBLE_OF; do echo "$OUT/$m-$fold.pt"; done)
  elif [[ ! -f $ckpt ]]; then
    OMP_WAIT_POLICY=PASSIVE $PY models/train.py --data "$DATA" --out "$ckpt" --arch pair --mix pair --steps 3000 \
      --batch 8 --crop 128 --lr 0.002 --seed 31 --paste-pairs 0.5 --leave-out "$(IFS=,; echo "${held[*]}")" "$@"
  fi
  # The fold's network beside a copy of the sidecar (the other networks linked, never overwritten).
  spec="$OUT/$scored-$fold/change-detector.json"
  rm -rf "$(dirname "$spec")" "$OUT/$scored-$fold-pairs"
  mkdir -p "$(dirname "$spec")"
  cp models/change-detector.json "$spec"
  for f in change-detector.onnx change-detector-surface.onnx change-detector-aerial.onnx; do ln -s "$PWD/models/$f" "$(dirname "$spec")/$f"; done
  served=$ckpt
  if [[ -n $DECISION ]]; then
    served="$OUT/$scored-$fold.pt"
    cp "$ckpt" "$served"
    $PY models/decision_bias.py --checkpoint "$served" --data "$DATA"
  fi
  $PY models/export_onnx.py --checkpoint "$served" --data "$DATA" --pair --spec "$spec" > /dev/null
  if [[ -n $MIRRORS ]]; then
    $PY - "$spec" "$MIRRORS" <<'LOOKS'
import json, sys
spec = json.load(open(sys.argv[1]))
spec.setdefault("network_chips", {})["pair"] = {"chip_px": spec["chip_px"], "overlap_px": spec["overlap_px"], "mirrors": int(sys.argv[2])}
json.dump(spec, open(sys.argv[1], "w"), indent=2)
LOOKS
  fi
  # Its held-out pairs, in every version of the coarse folder.
  for set_dir in "$COARSE"/*/; do
    set=$(basename "$set_dir")
    for item in "${held[@]}"; do
      [[ $set == "${item%%/*}"_* ]] || continue
      for sub in A B label; do
        mkdir -p "$OUT/$scored-$fold-pairs/$set/$sub"
        ln -s "$set_dir/$sub/${item#*/}.tif" "$OUT/$scored-$fold-pairs/$set/$sub/"
      done
    done
  done
  OMP_WAIT_POLICY=PASSIVE npx tsx scripts/eval.ts real --real "$OUT/$scored-$fold-pairs" --model "$spec" --json > "$OUT/$scored-$fold.json"
done
$PY - "$OUT/$scored" <<'POOL'
import collections, json, sys
pooled = collections.defaultdict(lambda: collections.Counter())
for fold in ("F1", "F2", "F3"):
    for s in json.load(open(f"{sys.argv[1]}-{fold}.json"))["sets"]:
        for item in s["items"]:
            for kind in ("pixel", "object"):
                for k in ("tp", "fp", "fn"):
                    pooled[s["set"]][kind + "_" + k] += item["model"][kind][k]
print("set               out-of-fold pixel F1   objects (tp, fp, fn)")
for name, c in sorted(pooled.items()):
    f1 = 2 * c["pixel_tp"] / max(1, 2 * c["pixel_tp"] + c["pixel_fp"] + c["pixel_fn"])
    print(f"{name:18s}{f1:20.3f}   ({c['object_tp']}, {c['object_fp']}, {c['object_fn']})")
POOL
