# Sourced by test.sh and bench.sh: installs the libs3fcp of build tree $1 into a temporary prefix and sets up the
# environment that builds s3fcp/objstore against it in GOPATH mode (Debian's Go sources under /usr/share/gocode;
# nothing is downloaded). Sets $go_tmp (removed on exit) and $go_pkg_dir (the package's folder inside the GOPATH).
# Defines fail().
fail() {
  echo "bindings/go: $*" >&2
  exit 1
}

go_setup() {
  local here repo build pc libdir
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  repo=$(cd "$here/../.." && pwd)
  build=${1:-$repo/build}
  for tool in go cmake pkg-config; do
    command -v "$tool" >/dev/null || fail "'$tool' not found (apt-get install golang-go cmake pkg-config)"
  done
  [[ -d /usr/share/gocode/src/github.com/aws/aws-sdk-go-v2 ]] ||
    fail "aws-sdk-go-v2 not under /usr/share/gocode (apt-get install golang-github-aws-aws-sdk-go-v2-dev)"
  [[ -f $build/cmake_install.cmake ]] || fail "$build is not a configured build tree (scripts/build --dir $build)"

  go_tmp=$(mktemp -d "${TMPDIR:-/tmp}/s3fcp-go.XXXXXX")
  trap 'rm -rf "$go_tmp"' EXIT
  if ! cmake --install "$build" --prefix "$go_tmp/prefix" >"$go_tmp/install.log" 2>&1; then
    cat "$go_tmp/install.log" >&2
    fail "cmake --install $build failed (is libs3fcp built?)"
  fi
  pc=$(find "$go_tmp/prefix" -name s3fcp.pc -print -quit)
  [[ -n $pc ]] || fail "no s3fcp.pc installed from $build"
  # s3fcp.pc names the prefix the tree was configured with, not the one given to cmake --install: point it here.
  sed -i "s|^prefix=.*|prefix=$go_tmp/prefix|" "$pc"
  libdir=$(pkg-config --variable=libdir "$pc")

  mkdir -p "$go_tmp/gopath/src"
  ln -s "$here" "$go_tmp/gopath/src/s3fcp"
  go_pkg_dir=$go_tmp/gopath/src/s3fcp/objstore
  export PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export GOPATH=$go_tmp/gopath:/usr/share/gocode GO111MODULE=off GOFLAGS= CGO_ENABLED=1
  export GOCACHE=${GOCACHE:-$HOME/.cache/s3fcp-go}
}
