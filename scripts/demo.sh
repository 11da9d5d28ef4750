#!/usr/bin/env bash
# The main job of `make demo`, on the embedded SQLite database in $KEEPLINE_HOME.
set -euo pipefail
kl=.venv/bin/keepline
for plant in xuzhou-qpcr zhengzhou-meters; do
  echo
  echo "=================================================================="
  $kl plant show "$plant"
done
