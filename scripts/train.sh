#!/usr/bin/env bash
# Train the Rasa model into models/ unless one for the current inputs already exists.
# The model is named models/hms-<hash>.tar.gz, where <hash> covers config.yml, domain/,
# training_data/ and the rasa_ext / nlu_components modules config.yml names (custom components); the rest of
# rasa_ext/ runs only when Rasa serves (channel, stores, fast path) and does not change a model.
#   FORCE=1 bash scripts/train.sh   retrain even if the model exists
set -euo pipefail
cd "$(dirname "$0")/.."
RASA=.venv-rasa/bin/rasa
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2

for need in config.yml domain training_data; do
  if [ ! -e "$need" ]; then echo "train: missing $need; nothing to train" >&2; exit 2; fi
done
if [ ! -x "$RASA" ]; then
  echo "train: $RASA not found; run 'make setup' (bash scripts/setup.sh rasa) first" >&2; exit 2
fi

inputs=(config.yml domain training_data)
while read -r module; do
  [ -f "$module" ] && inputs+=("$module")
done < <(sed -nE 's/^[[:space:]]*-?[[:space:]]*name:[[:space:]]*"?((rasa_ext|nlu_components)\.[A-Za-z0-9_.]+)\.[A-Za-z0-9_]+"?.*/\1/p' config.yml \
         | tr . / | sed 's/$/.py/')
# local files the pipeline loads (e.g. SpacyNLP's `model: models/spacy_hms`) count too
while read -r ref; do
  if [ -n "$ref" ] && [ -e "$ref" ]; then inputs+=("$ref"); fi
done < <(sed -nE 's/^[[:space:]]*model:[[:space:]]*"?([^"#[:space:]]+)"?.*/\1/p' config.yml)
# content and path of every input file, in a fixed order (bytecode and caches excluded)
hash=$(find "${inputs[@]}" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
        | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
name="hms-$hash"
model="models/$name.tar.gz"

if [ -f "$model" ] && [ "${FORCE:-0}" != "1" ]; then
  echo "train: $model is up to date for the current config, domain and training data"
  exit 0
fi

mkdir -p models
echo "train: training $model (inputs: ${inputs[*]})"
start=$(date +%s)
PYTHONPATH="$(pwd)${PYTHONPATH:+:$PYTHONPATH}" "$RASA" train \
  --config config.yml --domain domain --data training_data --out models \
  --fixed-model-name "$name"
if [ ! -f "$model" ]; then echo "train: rasa train did not write $model" >&2; exit 1; fi
touch "$model"  # newest model = the one the stack loads
echo "train: wrote $model in $(( $(date +%s) - start ))s"
