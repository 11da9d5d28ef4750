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
echo
echo "== The governments: both cities, the two plants registered, synthetic enterprises"
$kl gov load examples/jurisdictions/xuzhou.yaml examples/jurisdictions/zhengzhou.yaml
$kl gov checklist examples/checklists/xuzhou-municipal.yaml examples/checklists/zhengzhou-municipal.yaml
$kl gov register xuzhou-qpcr --industry "medical devices" --scale large \
  --tag key-epidemic-supplies --document "Xuzhou prevention-supplies list, notice 12" \
  --liaison liaison.wang@xuzhou.gov.example
$kl gov register zhengzhou-meters --industry "instruments" --scale large \
  --tag livelihood --document "Zhengzhou livelihood-guarantee list, notice 7" \
  --liaison liaison.chen@zzhitech.gov.example
for eid in xuzhou-qpcr zhengzhou-meters; do  # rosters, so the plants' reports count people
  $kl people generate "$eid" -o "out/roster-$eid.csv"
  $kl people import "out/roster-$eid.csv" -e "$eid" >/dev/null
done
$kl gov state xuzhou-qpcr --state fully --reason "white list" --as xuzhou-municipal
$kl gov state zhengzhou-meters --state partly --reason "water meters first" --as zhengzhou-municipal
GOV_N=${KEEPLINE_DEMO_ENTERPRISES:-60}
$kl gov generate-city xuzhou-municipal --enterprises "$GOV_N" --record-days 3 --history-days 27
$kl gov generate-city zhengzhou-municipal --enterprises "$GOV_N" --record-days 3 --history-days 27 --seed 2
for back in 2 1 0; do
  day=$(date -d "$(TZ=Asia/Shanghai date +%F) -$back day" +%F)
  $kl gov report xuzhou-qpcr --day "$day" --submit >/dev/null
  $kl gov report zhengzhou-meters --day "$day" --submit >/dev/null
  $kl gov send-reports xuzhou-municipal --day "$day"
  $kl gov send-reports zhengzhou-municipal --day "$day"
done
$kl gov dashboard xuzhou-municipal --xlsx out/dashboard-xuzhou.xlsx
$kl gov dashboard zhengzhou-municipal --xlsx out/dashboard-zhengzhou.xlsx
echo
echo "== A visit to each reference plant: two findings (one answered and verified, one open), the briefing pack"
due=$(date -d "$(TZ=Asia/Shanghai date +%F) +7 day" +%F)
visit() {  # ENTERPRISE JURISDICTION OFFICER
  local vid fid
  vid=$($kl gov visit add "$1" --visitor "市长 Mayor" --visitor "$3" --topic prevention \
    --topic capacity --topic materials --topic backup-suppliers --topic living \
    --notes "Capacity, orders and output; raw materials and transport; workers' living conditions" \
    --as "$2" | awk '{print $2}' | tr -d :)
  fid=$($kl gov finding add "$vid" --category backup-suppliers --severity high --due "$due" \
    --text "备用供应商未签约 No contract yet with a backup supplier for a single-source material" \
    --as "$2" | awk '{print $2}' | tr -d :)
  $kl gov finding add "$vid" --category logistics --due "$due" \
    --text "运输通行证将到期 Transport passes for the inbound lane expire this week" --as "$2"
  $kl gov rectification answer "$1" "$fid" --attachment contract.pdf \
    --text "已与备用供应商签订框架合同 Framework contract signed with the backup supplier"
  $kl gov finding verify "$fid" --note "contract seen" --as "$2"
  $kl gov visit briefing "$vid" --as "$2" -o "out/briefing-$1.html" >/dev/null
  echo "briefing pack: out/briefing-$1.html"
}
visit xuzhou-qpcr xuzhou-municipal deputy.mayor@xuzhou.gov.example
visit zhengzhou-meters zhengzhou-municipal mayor.office@zhengzhou.gov.example
echo
echo "== Emergency-plan drills: each plant's plan against a scenario, on a copy of its data (recorded)"
$kl plans drill xuzhou-qpcr --plan examples/plans/xuzhou-qpcr.yaml \
  --scenario $S/xuzhou-drill-wave-control-area.yaml -o out/drill-xuzhou-qpcr
$kl plans drill zhengzhou-meters --plan examples/plans/zhengzhou-meters.yaml \
  --scenario $S/zhengzhou-wave-and-chip-lockdown.yaml -o out/drill-zhengzhou-meters
echo
echo "Reports: out/xuzhou-qpcr/report.html and out/zhengzhou-meters/report.html;"
echo "drills: out/drill-xuzhou-qpcr/report.html and out/drill-zhengzhou-meters/report.html"
echo "(both drills are recorded: the console's Drill reports page, /console/drills)"
echo "(open them in a browser; the numbers are in report.json beside each)"
