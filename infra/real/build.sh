#!/usr/bin/env bash
# Builds the pinned real servers of the test tier from the Go module proxy, once.
#
#   bash infra/real/build.sh        prints the directory that holds the binaries
#
# The binaries land in ${APINETLET_REAL_CACHE:-${XDG_CACHE_HOME:-~/.cache}/apinetlet/real}/<hash>,
# keyed by go.mod, go.sum, this script and the Go version: a second run builds nothing.
# Progress goes to stderr; stdout carries only the directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v go >/dev/null 2>&1; then
  echo "real servers: no Go toolchain on PATH; install Go 1.25 or newer (https://go.dev/doc/install) or use the emulated stack (npm start without --real)" >&2
  exit 3
fi

# binary name -> package
binaries=(
  "etcd=go.etcd.io/etcd/server/v3"
  "kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver"
  "kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager"
  "ironcore-apiserver=github.com/ironcore-dev/ironcore/cmd/ironcore-apiserver"
  "apinet-apiserver=github.com/ironcore-dev/ironcore-net/cmd/apiserver"
  "apinet-controller-manager=github.com/ironcore-dev/ironcore-net/cmd/controller-manager"
  "apinetlet=github.com/ironcore-dev/ironcore-net/cmd/apinetlet"
)

goversion="$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
hash="$( (cat "$here/go.mod" "$here/go.sum" "$here/build.sh"; echo "$goversion") | sha256sum | cut -c1-16)"
root="${APINETLET_REAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/apinetlet/real}"
out="$root/$hash"

if [[ -f "$out/.complete" ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$root"
# One build at a time per version (parallel test workers, two shells): the others wait, then reuse it.
exec 9>"$root/.lock-$hash"
flock 9
if [[ -f "$out/.complete" ]]; then
  echo "$out"
  exit 0
fi
tmp="$(mktemp -d "$root/.build-$hash.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

kube_version="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
minor="$(echo "$kube_version" | cut -d. -f2)"
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$kube_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"

started=$SECONDS
echo "real servers: building ${#binaries[@]} binaries into $out (cold: about 4 minutes and 4 GB on 2 cores; once per version)" >&2
for entry in "${binaries[@]}"; do
  name="${entry%%=*}"
  pkg="${entry#*=}"
  t=$SECONDS
  if ! (cd "$here" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -ldflags="$ldflags" -o "$tmp/$name" "$pkg"); then
    echo "real servers: building $name ($pkg) failed; see the Go output above. Check the network to the Go module proxy (go env GOPROXY) and free disk (df -h $root)" >&2
    exit 4
  fi
  echo "real servers: $name built in $((SECONDS - t))s" >&2
done
echo "$goversion" >"$tmp/.go-version"
echo "$((SECONDS - started))" >"$tmp/.build-seconds"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "real servers: built in $((SECONDS - started))s" >&2
echo "$out"
