#!/usr/bin/env bash
# Re-fetch the API docs' browser assets (Swagger UI, ReDoc) from the npm registry into
# src/keepline/apikit/static/vendor, so /docs and /redoc work on a plant network with no
# internet. Versions and tarball checksums are pinned here: change both together
# (`npm view PACKAGE@VERSION dist.integrity`), run this script, and commit the result.
set -euo pipefail

SWAGGER_UI_VERSION=5.36.0
SWAGGER_UI_INTEGRITY=sha512-Lt6/Kb0gXmLdiabLhvso4VdJP9V7qJWB0zh0gzeXUV3+CMOTzMmvpJRSXN7EAjfwixwmoi9ezDbLHiexC7lA9A==
REDOC_VERSION=2.5.4
REDOC_INTEGRITY=sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==

here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/keepline/apikit/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=scripts/npm_fetch.sh
source "$here/scripts/npm_fetch.sh"

fetch swagger-ui-dist "$SWAGGER_UI_VERSION" "$SWAGGER_UI_INTEGRITY"
fetch redoc "$REDOC_VERSION" "$REDOC_INTEGRITY"

rm -rf "$dest/swagger-ui" "$dest/redoc"
mkdir -p "$dest/swagger-ui" "$dest/redoc"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png \
  LICENSE NOTICE; do
  cp "$work/swagger-ui-dist/$f" "$dest/swagger-ui/$f"
done
cp "$work/redoc/bundles/redoc.standalone.js" "$work/redoc/bundles/redoc.standalone.js.LICENSE.txt" \
  "$work/redoc/LICENSE" "$dest/redoc/"
# The bundles end with a source-map comment; the maps are not shipped, so drop the
# comment (a browser would otherwise ask for a file that answers 404).
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/swagger-ui/swagger-ui-bundle.js" "$dest/redoc/redoc.standalone.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dest/swagger-ui/swagger-ui.css"
printf 'swagger-ui-dist %s\nredoc %s\n' "$SWAGGER_UI_VERSION" "$REDOC_VERSION" > "$dest/VERSIONS"
echo "vendored swagger-ui-dist $SWAGGER_UI_VERSION and redoc $REDOC_VERSION into $dest"
