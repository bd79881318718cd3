#!/usr/bin/env bash
# Rebuilds the committed front-end files under static/ from the pinned npm packages, so that
# running the app never needs Node. Run from anywhere: `npm ci && npm run build`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

nhsuk="node_modules/nhsuk-frontend/dist/nhsuk"
htmx="node_modules/htmx.org/dist"
out="static/nhsuk"

if [[ ! -d "$nhsuk" || ! -d "$htmx" || ! -x node_modules/.bin/sass ]]; then
  echo "build.sh: node_modules is missing or incomplete; run 'npm ci' first" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/assets/images" static/css static/js

# 1. Stylesheets: NHS.UK frontend (Arial, no remote font) and the project's own styles.
node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
  frontend/main.scss:"$out/nhsuk.min.css" frontend/app.scss:static/css/app.css

# 2. NHS.UK frontend JavaScript: an ES module (load it with type="module"). The source-map
#    comment goes: Django's manifest storage would otherwise look for the .map file and fail.
sed '/^\/\/# sourceMappingURL=/d; s|//# sourceMappingURL=[^ ]*$||' \
  "$nhsuk/nhsuk-frontend.min.js" > "$out/nhsuk.min.js"

# 3. Images: every file the stylesheet refers to, plus the favicon set and web app manifest.
mapfile -t css_images < <(grep -o 'url("\{0,1\}assets/images/[^")]*' "$out/nhsuk.min.css" \
  | sed 's|.*assets/images/||' | sort -u)
favicons=(favicon.ico favicon.svg nhsuk-icon-180.png nhsuk-icon-192.png nhsuk-icon-512.png nhsuk-icon-mask.svg)
for image in "${css_images[@]}" "${favicons[@]}"; do
  cp "$nhsuk/assets/images/$image" "$out/assets/images/$image"
done
cp "$nhsuk/assets/manifest.json" "$out/assets/manifest.json"

# 4. htmx, served locally (no CDN).
sed '/^\/\/# sourceMappingURL=/d' "$htmx/htmx.min.js" > static/js/htmx.min.js

# 5. Guard: no stylesheet may fetch anything from another host (pages must work offline).
for css in "$out/nhsuk.min.css" static/css/app.css; do
  if grep -Eq 'url\((["'\'']?)(https?:)?//|@import|@font-face' "$css"; then
    echo "build.sh: $css refers to a remote URL, an import or a web font" >&2
    exit 1
  fi
done

du -ch static/nhsuk static/css static/js | tail -n 1
