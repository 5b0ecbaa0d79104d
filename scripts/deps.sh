#!/bin/sh
# Installs what Berth needs to build and test on Debian 12, and nothing that is
# already there. Idempotent; safe to run on every build. Set BERTH_DEPS_QUICK=1
# to skip the check entirely (for repeated local runs).
set -eu

[ "${BERTH_DEPS_QUICK:-0}" = 1 ] && exit 0

# Build: compiler, meson, and the libraries Berth links (see meson.build).
BUILD_PKGS="gcc clang meson ninja-build pkg-config libjson-c-dev libseccomp-dev libcap-dev
        libsqlite3-dev libarchive-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev
        libisal-dev libdeflate-dev"
# Tests: the busybox used for images and bundles, bats, jq, and the peers that
# compatibility is tested against.
TEST_PKGS="python3 busybox-static bats jq sqlite3 iproute2 uidmap procps util-linux e2fsprogs crun runc
        podman skopeo umoci containerd user-mode-linux hyperfine time strace libcap2-bin"

# Conformance (scripts/conformance.sh only, when BERTH_DEPS_CONFORMANCE=1): Go,
# dpkg-dev for `apt-get source` of runtime-tools (the validation programs), and
# the Go libraries those programs import, from Debian's /usr/share/gocode.
CONFORMANCE_PKGS="golang-go dpkg-dev golang-github-opencontainers-runtime-tools-dev
        golang-github-opencontainers-specs-dev golang-github-google-uuid-dev golang-gocapability-dev
        golang-github-hashicorp-go-multierror-dev golang-golang-x-sys-dev golang-github-mrunalp-fileutils-dev
        golang-github-sirupsen-logrus-dev golang-github-stretchr-testify-dev golang-github-opencontainers-selinux-dev
        golang-github-xeipuuv-gojsonschema-dev golang-github-urfave-cli-dev golang-github-blang-semver-dev
        golang-gopkg-yaml.v3-dev"

missing=""
for p in $BUILD_PKGS $( [ "${BERTH_DEPS_BUILD_ONLY:-0}" = 1 ] || echo $TEST_PKGS ) \
        $( [ "${BERTH_DEPS_CONFORMANCE:-0}" = 1 ] && echo $CONFORMANCE_PKGS ); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
        echo "berth: missing Debian packages:$missing (run as root to install them)" >&2
        exit 1
fi
echo "berth: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# No service may be started by a package's postinst: the tests start their own.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
        created_policy=1
fi
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ "$created_policy" = 1 ] && rm -f "$policy"
exit 0
