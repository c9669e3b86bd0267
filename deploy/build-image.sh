#!/usr/bin/env bash
# Build the Causal Canvas image (Dockerfile) with podman or docker, then smoke-test it on loopback:
# health check, the packaged app's start page, `causal-canvas --version` and a report on a sample.
#
#   deploy/build-image.sh [TAG]                      # default TAG causal-canvas:dev
#   ENGINE=docker deploy/build-image.sh              # default ENGINE podman
#
# Where the default base image (python:3.11-slim) cannot be pulled (no container registry
# reachable), a base is built from Debian's own packages with debootstrap (needs root) and the
# Dockerfile is built on it. Sandboxes may need extra engine flags:
#   BUILD_FLAGS  extra flags for `build` (e.g. a CA bundle for a TLS-inspecting proxy:
#                "-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro
#                 --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt")
#   RUN_FLAGS    extra flags for `build` and `run` (e.g. "--runtime runc --ulimit nofile=20000:20000
#                --ulimit nproc=4096:4096" where crun cannot set rlimits)
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-causal-canvas:dev}
ENGINE=${ENGINE:-podman}
BASE=${BASE:-python:3.11-slim}
LOCAL_BASE=localhost/causal-canvas-base:bookworm
read -r -a BUILD_EXTRA <<< "${BUILD_FLAGS:-}"
read -r -a RUN_EXTRA <<< "${RUN_FLAGS:-}"

have_image() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

if ! have_image "$BASE" && ! "$ENGINE" pull -q "$BASE" >/dev/null 2>&1; then
  echo "build-image: cannot pull $BASE; using $LOCAL_BASE built from Debian's packages" >&2
  if ! have_image "$LOCAL_BASE"; then
    command -v debootstrap >/dev/null || { echo "build-image: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
    root=$(mktemp -d)
    trap 'rm -rf "$root" "$root.tar"' EXIT
    debootstrap --variant=minbase --include=python3,python3-venv,libgomp1,ca-certificates \
      bookworm "$root" http://deb.debian.org/debian >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$root.tar" .
    "$ENGINE" import --change 'CMD ["/bin/bash"]' "$root.tar" "$LOCAL_BASE" >/dev/null
  fi
  BASE=$LOCAL_BASE
fi

start=$(date +%s)
"$ENGINE" build "${BUILD_EXTRA[@]}" "${RUN_EXTRA[@]}" --build-arg BASE="$BASE" -t "$TAG" .
echo "build-image: built $TAG on $BASE in $(( $(date +%s) - start )) s"

# Smoke test on loopback only.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cid=$("$ENGINE" run -d "${RUN_EXTRA[@]}" -p "127.0.0.1:$port:8501" "$TAG")
cleanup() { "$ENGINE" rm -f "$cid" >/dev/null 2>&1 || true; }
trap cleanup EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  if curl -fsS --max-time 2 "$url/_stcore/health" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS --max-time 5 "$url/_stcore/health" | grep -q ok || { "$ENGINE" logs "$cid" | tail -40; echo "build-image: FAILED: no health" >&2; exit 1; }
curl -fsS --max-time 5 "$url/" | grep -qi "<html" || { echo "build-image: FAILED: no start page" >&2; exit 1; }
"$ENGINE" logs "$cid" 2>&1 | grep -q "Causal Canvas is running" || { echo "build-image: FAILED: no URL line" >&2; exit 1; }
"$ENGINE" exec "$cid" causal-canvas --version
"$ENGINE" exec -w /tmp "$cid" causal-canvas report smoking_tar_cancer --treatment smoking \
  --outcome cancer --graph sample --bootstrap 0 --refutations 0 -q
echo "build-image: OK: $TAG serves $url (health, start page, report)"
