#!/usr/bin/env bash
# Refresh the vendored NHS.UK frontend build in pathway_review/static/nhsuk/.
#
# Usage: scripts/refresh-nhsuk-frontend.sh [VERSION]
#   VERSION defaults to the latest release on the npm registry.
#
# The app is served with a Content-Security-Policy of default-src 'self', so
# the vendored files are adjusted to work from our own origin:
#   * root-relative url(/assets/images/...) references are rewritten to
#     url(images/...) so they resolve next to the stylesheet under /static/;
#   * @font-face rules that load Frutiger from assets.nhs.uk are dropped: the
#     CSP would block them anyway, the font is not in the npm package, and the
#     NHS.UK font stack already falls back to Arial;
#   * the JS build is an ES module that only exports initAll(), and the
#     upstream page template starts it with an inline <script> we cannot use,
#     so a short bootstrap is appended to the module instead.
# Source map comments are removed because the maps are not vendored.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo_root/pathway_review/static/nhsuk"
spec="nhsuk-frontend${1:+@$1}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$spec" >/dev/null)
tarball="$(find "$tmp" -maxdepth 1 -name 'nhsuk-frontend-*.tgz' -print -quit)"
if [[ -z "$tarball" ]]; then
  echo "npm pack did not produce an nhsuk-frontend tarball for $spec" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp"
pkg="$tmp/package"
dist="$pkg/dist/nhsuk"

version="$(node -p 'require(process.argv[1]).version' "$pkg/package.json")"
license_id="$(node -p 'require(process.argv[1]).license' "$pkg/package.json")"

# Prefer the version-less file names; fall back to the versioned ones in case
# a release only ships those.
pick() {
  local f
  for f in "$@"; do
    if [[ -f "$dist/$f" ]]; then
      echo "$dist/$f"
      return 0
    fi
  done
  echo "Could not find any of: $* in $dist" >&2
  return 1
}
css_src="$(pick nhsuk-frontend.min.css "nhsuk-frontend-$version.min.css")"
js_src="$(pick nhsuk-frontend.min.js "nhsuk-frontend-$version.min.js")"

stage="$tmp/stage"
mkdir -p "$stage/images"

# Minified CSS has no newlines, so work on @font-face blocks and url() tokens
# with sed's regexes rather than line-oriented tools.
sed -E \
  -e 's#@font-face\{[^}]*url\(https?://[^}]*\}##g' \
  -e 's#url\((["'"'"']?)/assets/images/#url(\1images/#g' \
  -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' \
  "$css_src" > "$stage/nhsuk.min.css"

# Copy exactly the images the stylesheet refers to, so a new upstream icon is
# picked up and unused assets are not shipped.
grep -oE 'url\(["'"'"']?[^)"'"'"']+' "$stage/nhsuk.min.css" \
  | sed -E 's#^url\(["'"'"']?##' \
  | sort -u > "$tmp/css-urls.txt"
while IFS= read -r ref; do
  case "$ref" in
    data:*|\#*) continue ;;
    images/*)
      src="$dist/assets/$ref"
      if [[ ! -f "$src" ]]; then
        echo "CSS references $ref but $src is not in the package" >&2
        exit 1
      fi
      cp "$src" "$stage/$ref"
      ;;
    *)
      echo "Unexpected url() in vendored CSS (would break under CSP or not resolve): $ref" >&2
      exit 1
      ;;
  esac
done < "$tmp/css-urls.txt"

if grep -qE '/assets/|assets\.nhs\.uk' "$stage/nhsuk.min.css"; then
  echo "Vendored CSS still references upstream asset paths; update the rewrite rules." >&2
  exit 1
fi

# The bootstrap mirrors upstream template.njk's inline snippet: the module
# only runs in browsers that support modules, which is exactly the
# "frontend supported" condition, and initAll() refuses to run without it.
{
  sed -E 's#//[#@] sourceMappingURL=.*$##' "$js_src"
  printf '\n/* Pathway Review bootstrap (CSP forbids the inline init snippet). */\n'
  printf 'document.body.classList.add("js-enabled","nhsuk-frontend-supported");initAll();\n'
} > "$stage/nhsuk.min.js"

if grep -qE '/assets/' "$stage/nhsuk.min.js"; then
  echo "Vendored JS references /assets/ paths that are not vendored." >&2
  exit 1
fi

license_src="$(find "$pkg" -maxdepth 1 -iname 'licen[cs]e*' -print -quit)"
if [[ -n "$license_src" ]]; then
  cp "$license_src" "$stage/LICENSE"
elif [[ "$license_id" == "MIT" ]]; then
  # The npm tarball omits the LICENSE file; this is the text of the upstream
  # repository's LICENSE, which package.json declares as MIT.
  cat > "$stage/LICENSE" <<'EOF'
MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
else
  echo "nhsuk-frontend $version ships no LICENSE file and declares '$license_id', not MIT; check the licence by hand." >&2
  exit 1
fi

printf '%s\n' "$version" > "$stage/VERSION"

# Replace only what this script owns, keeping README.md (written by hand).
mkdir -p "$dest"
rm -rf "$dest/images" "$dest/nhsuk.min.css" "$dest/nhsuk.min.js" "$dest/LICENSE" "$dest/VERSION"
cp -R "$stage/." "$dest/"

echo "Vendored nhsuk-frontend $version into ${dest#"$repo_root"/}:"
(cd "$dest" && find . -type f ! -name README.md | sort | sed 's#^\./#  #')
