# Sourced by the vendor_*.sh scripts: fetch a pinned npm release tarball, checked.
# The caller sets $work (a temp folder); $NPM_REGISTRY overrides the registry.
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}

# fetch NAME VERSION INTEGRITY: download the release tarball, check it, unpack it in $work/NAME.
fetch() {
  local name=$1 version=$2 integrity=$3 tgz="$work/$1.tgz"
  curl -fsSL "$REGISTRY/$name/-/$name-$version.tgz" -o "$tgz"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "error: $name-$version.tgz: checksum $got, expected $integrity" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar xzf "$tgz" -C "$work/$name" --strip-components=1
}
