#!/usr/bin/env bash
# Builds the gateway's container image as a tarball, without a Docker engine: target/gateway-image.tar
# (`docker load -i`, `podman load -i`, or `skopeo copy docker-archive:…` to push it).
#
#   scripts/build-image.sh                     base: made here from the local JDK (scripts/image-base.sh)
#   IMAGE_BASE=eclipse-temurin:17-jre scripts/build-image.sh      base: pulled from a registry by Jib
#
# The image itself (layers, user, volumes, entrypoint) is the pom's jib-maven-plugin configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${IMAGE_BASE:-}"
if [ -z "$base" ]; then
  bash scripts/image-base.sh target/image-base/base.tar
  base="tar://$PWD/target/image-base/base.tar"
fi
./mvnw -q -B -DskipTests package jib:buildTar -Dimage.base="$base" -Djib.disableUpdateChecks=true
echo "build-image: target/gateway-image.tar on $base"
