#!/bin/sh
# Regenerates the Go reference-plugin fixtures used by tests/test_schemas.py.
# Needs the Debian containernetworking-plugins package in /usr/lib/cni.
# host-local and static touch no network. bridge and loopback run only inside
# two scratch network namespaces that this script creates and deletes again.
# Bridge fixtures additionally need root.
set -u
OUT=$(cd "$(dirname "$0")" && pwd)
PLUGINS=/usr/lib/cni
TMP=$(mktemp -d)
HOSTNS=cnitest-schemas-host-$$
CTRNS=cnitest-schemas-ctr-$$
cleanup() {
    ip netns del "$CTRNS" 2>/dev/null
    ip netns del "$HOSTNS" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# run NAME CMD VERSION PLUGIN CONFIG [netns-exec-prefix...]: save stdout as NAME.json
run() {
    name=$1 cmd=$2 plugin=$3 conf=$4; shift 4
    printf '%s' "$conf" | env -i CNI_COMMAND="$cmd" CNI_CONTAINERID=cnitest \
        CNI_NETNS="${NETNS:-None}" CNI_IFNAME="${IFNAME:-None}" CNI_PATH="$PLUGINS" \
        "$@" "$PLUGINS/$plugin" >"$OUT/$name.json"
    echo "$name: rc=$?"
}

for v in 0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0; do
    rm -rf "$TMP/hl"
    run "host-local-add-$v" ADD host-local "{\"cniVersion\":\"$v\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.10.0.0/24\"}],[{\"subnet\":\"fd00:10::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"}],\"dataDir\":\"$TMP/hl\"}}"
    run "static-add-$v" ADD static "{\"cniVersion\":\"$v\",\"name\":\"n\",\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"10.10.0.5/24\",\"gateway\":\"10.10.0.1\"},{\"address\":\"fd00:10::5/64\",\"gateway\":\"fd00:10::1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.0.254\"},{\"dst\":\"::/0\",\"gw\":\"fd00:10::1\"}],\"dns\":{\"nameservers\":[\"10.10.0.1\",\"fd00:10::1\"],\"domain\":\"example.com\",\"search\":[\"example.com\"]}}}"
    run "version-$v" VERSION host-local "{\"cniVersion\":\"$v\"}"
done
run "error-incompatible-version" ADD host-local '{"cniVersion":"9.9.9","name":"n","ipam":{"type":"host-local","ranges":[[{"subnet":"10.10.0.0/24"}]]}}'
run "error-bad-json" ADD host-local '{"cniVersion":'
run "error-static-bad-address" ADD static '{"cniVersion":"1.0.0","name":"n","ipam":{"type":"static","addresses":[{"address":"10.10.0.300/24"}]}}'

# Interface plugins, confined to scratch namespaces.
if [ "$(id -u)" = 0 ] && ip netns add "$HOSTNS" && ip netns add "$CTRNS"; then
    for v in 0.2.0 0.3.1 0.4.0 1.0.0; do
        rm -rf "$TMP/br"
        NETNS=/var/run/netns/$CTRNS IFNAME=eth0 run "bridge-add-$v" ADD bridge \
            "{\"cniVersion\":\"$v\",\"name\":\"n\",\"type\":\"bridge\",\"bridge\":\"cnitestbr0\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.11.0.0/24\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"$TMP/br\"}}" \
            ip netns exec "$HOSTNS"
        NETNS=/var/run/netns/$CTRNS IFNAME=eth0 run "bridge-del-$v" DEL bridge \
            "{\"cniVersion\":\"$v\",\"name\":\"n\",\"type\":\"bridge\",\"bridge\":\"cnitestbr0\",\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.11.0.0/24\"}]],\"dataDir\":\"$TMP/br\"}}" \
            ip netns exec "$HOSTNS"
        rm -f "$OUT/bridge-del-$v.json"   # DEL prints nothing on success
    done
    NETNS=/var/run/netns/$CTRNS IFNAME=lo run "loopback-add-1.0.0" ADD loopback \
        '{"cniVersion":"1.0.0","name":"n","type":"loopback"}' ip netns exec "$HOSTNS"
    NETNS=/var/run/netns/$CTRNS IFNAME=eth0 run "bridge-add-l2-1.0.0" ADD bridge \
        '{"cniVersion":"1.0.0","name":"n","type":"bridge","bridge":"cnitestbr0"}' ip netns exec "$HOSTNS"
    # the same ADD again: eth0 now exists in the container namespace
    NETNS=/var/run/netns/$CTRNS IFNAME=eth0 run "error-bridge-ifname-taken" ADD bridge \
        '{"cniVersion":"1.0.0","name":"n","type":"bridge","bridge":"cnitestbr0"}' ip netns exec "$HOSTNS"
fi
