#!/usr/bin/env bash
# The main job of `make demo`: the continuity assessment of both reference plants, on the
# embedded SQLite database in $KEEPLINE_HOME (the plants were loaded just before).
set -euo pipefail
kl=.venv/bin/keepline
P=examples/policies
S=examples/scenarios
REPS=${KEEPLINE_DEMO_REPLICATES:-100}
policies=(-p $P/no-screening.yaml -p $P/weekly-pcr-10.yaml -p $P/every-3-days-pcr-10.yaml
          -p $P/daily-antigen.yaml -p $P/closed-loop-twice-daily.yaml
          -p $P/zone-quarantine-14d.yaml -p $P/test-to-stay.yaml)

echo "== Xuzhou qPCR instrument base: assessment"
$kl assess xuzhou-qpcr "${policies[@]}" \
  -s $S/xuzhou-city-wave.yaml -s $S/xuzhou-control-area-21d.yaml \
  -s $S/xuzhou-optics-supplier-down.yaml \
  --replicates "$REPS" --workers 2 -o out/xuzhou-qpcr
echo
echo "== Zhengzhou smart meter works: assessment"
$kl assess zhengzhou-meters "${policies[@]}" \
  -s $S/zhengzhou-city-wave.yaml -s $S/zhengzhou-chip-region-lockdown-14d.yaml \
  -s $S/zhengzhou-wave-and-chip-lockdown.yaml \
  --replicates "$REPS" --workers 2 -o out/zhengzhou-meters
echo
echo "Reports: out/xuzhou-qpcr/report.html and out/zhengzhou-meters/report.html"
echo "(open them in a browser; the numbers are in report.json beside each)"
