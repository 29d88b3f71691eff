#!/usr/bin/env bash
# Installs the reference Apache ZooKeeper (Debian's 3.8), a JRE and the real clients the
# differential and compatibility tests use. Idempotent: skips what is already there.
set -euo pipefail
need=()
[ -x /usr/share/zookeeper/bin/zkServer.sh ] || need+=(zookeeper zookeeper-bin)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
# The differential tests compile their Java drivers.
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
/usr/bin/python3 -c 'import kazoo' >/dev/null 2>&1 || need+=(python3-kazoo)
[ -f /usr/share/java/curator-recipes.jar ] || need+=(libcurator-recipes-java libcurator-framework-java libcurator-client-java libcurator-discovery-java)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "reference: $(ls /usr/share/java/zookeeper-3*.jar 2>/dev/null | head -1)"
