#!/usr/bin/env bash
# Makes a container base image without a Docker engine or a registry, for machines that reach neither:
# a Java runtime cut from the local JDK with jlink (at /opt/java/openjdk, as in eclipse-temurin), the
# shared libraries it loads (found with ldd), /etc/passwd and /etc/group with the non-root user the
# gateway runs as (uid/gid 10001), /tmp, and /data owned by that user. Written as a `docker save`
# tarball (one layer), which Jib takes as a base with `tar://<file>`.
#
#   scripts/image-base.sh [out.tar]      default: target/image-base/base.tar
#
# Where a registry is reachable the image is built on eclipse-temurin:17-jre instead (see
# docs/operations.md#container-image); this base exists so CI can build and run the image here.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/image-base/base.tar}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
jlink="$java_home/bin/jlink"
[ -x "$jlink" ] || { echo "image-base: no jlink in $java_home (a JDK is needed, not a JRE)" >&2; exit 1; }
[ -d "$java_home/jmods" ] || { echo "image-base: $java_home has no jmods/ for jlink" >&2; exit 1; }
# What the gateway and its libraries use (jdeps over the shaded jar), plus DNS, TLS ciphers, JFR and jcmd for operators.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,\
java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.crypto.ec,jdk.jfr,\
jdk.management,jdk.management.jfr,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs,jdk.jcmd,jdk.localedata

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/opt/java" "$root/etc" "$root/tmp" "$root/data" "$(dirname "$out")"
"$jlink" --add-modules "$modules" --include-locales=en --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$root/opt/java/openjdk"
# A server runs headless: java.desktop stays (java.beans), but its X11, sound, font and splash-screen natives would only
# drag the X client, ALSA and font libraries in.
for native in libawt_xawt libsplashscreen libjawt libjsound libfontmanager; do
  rm -f "$root/opt/java/openjdk/lib/$native.so"
done
# Debian's JDK keeps its CA certificates outside the JDK: carry them in, dereferenced.
if [ -L "$root/opt/java/openjdk/lib/security/cacerts" ] || [ ! -s "$root/opt/java/openjdk/lib/security/cacerts" ]; then
  rm -f "$root/opt/java/openjdk/lib/security/cacerts"
  cp -L "$java_home/lib/security/cacerts" "$root/opt/java/openjdk/lib/security/cacerts"
fi

# Every shared library an ELF file of the runtime needs, at the path the loader finds it on this system.
find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -perm -u+x \) -print0 |
  xargs -0 -n1 ldd 2>/dev/null | awk '/=> \//{print $3} /^\s*\/[^ ]*ld-linux/{print $1}' | sort -u | grep -v "^$root/" |
  while read -r lib; do
    cp -L --parents "$lib" "$root"
  done
# glibc reads these for name lookups (hosts, then DNS): without them the JVM cannot resolve a broker's name.
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$lib" ] && cp -L --parents "$lib" "$root"
done
[ -e "$root/lib64" ] || ln -s lib "$root/lib64" 2>/dev/null || true
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngateway:x:10001:10001:event gateway:/app:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\ngateway:x:10001:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

# One layer, reproducible: sorted, mtime 0, numeric owners; /data belongs to the gateway's user.
layer="$work/layer.tar"
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$root" --exclude=./data -cf "$layer" .
tar --mtime=@0 --numeric-owner --owner=10001 --group=10001 --mode=0750 -C "$root" -rf "$layer" ./data
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
image="$work/image"
mkdir -p "$image"
mv "$layer" "$image/layer.tar"
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"scripts/image-base.sh: jlink runtime of $("$java_home/bin/java" -version 2>&1 | head -1 | tr -d '"')"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["gateway-base:local"],"Layers":["layer.tar"]}]' > "$image/manifest.json"
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$image" -cf "$out" manifest.json config.json layer.tar
echo "image-base: $out ($(du -h "$out" | cut -f1), runtime $(du -sh "$root/opt/java/openjdk" | cut -f1))"
