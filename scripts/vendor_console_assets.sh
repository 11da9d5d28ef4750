#!/usr/bin/env bash
# Re-fetch the web console's browser assets (htmx, Apache ECharts, axe-core for the
# accessibility checks of the browser tests) from the npm registry into
# src/keepline/console/static/vendor, with their licences, so the console works on a plant
# network with no internet and `make demo` needs no node. Versions and tarball checksums
# are pinned here: change both together (`npm view PACKAGE@VERSION dist.integrity`), run
# this script, and commit the result. Same approach as scripts/vendor_assets.sh.
set -euo pipefail

HTMX_VERSION=2.0.11
HTMX_INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
ECHARTS_VERSION=6.1.0
ECHARTS_INTEGRITY=sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA==
AXE_VERSION=4.14.1
AXE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==

here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/keepline/console/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=scripts/npm_fetch.sh
source "$here/scripts/npm_fetch.sh"

fetch htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY"
fetch echarts "$ECHARTS_VERSION" "$ECHARTS_INTEGRITY"
fetch axe-core "$AXE_VERSION" "$AXE_INTEGRITY"

rm -rf "$dest/htmx" "$dest/echarts" "$dest/axe-core"
mkdir -p "$dest/htmx" "$dest/echarts" "$dest/axe-core"
cp "$work/htmx.org/dist/htmx.min.js" "$work/htmx.org/LICENSE" "$dest/htmx/"
cp "$work/echarts/dist/echarts.min.js" "$work/echarts/LICENSE" "$work/echarts/NOTICE" "$dest/echarts/"
cp "$work/echarts/licenses/LICENSE-d3" "$dest/echarts/"
cp "$work/axe-core/axe.min.js" "$work/axe-core/LICENSE" "$work/axe-core/LICENSE-3RD-PARTY.txt" \
  "$dest/axe-core/"
# Drop source-map comments: the maps are not shipped (a browser would ask for a 404).
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/htmx/htmx.min.js" "$dest/echarts/echarts.min.js" \
  "$dest/axe-core/axe.min.js"
printf 'htmx.org %s\necharts %s\naxe-core %s\n' "$HTMX_VERSION" "$ECHARTS_VERSION" "$AXE_VERSION" \
  > "$dest/VERSIONS"
echo "vendored htmx.org $HTMX_VERSION, echarts $ECHARTS_VERSION and axe-core $AXE_VERSION into $dest"
