#!/usr/bin/env bash
# The minimal deploy as a plain bash script with one `ssh` per step over an OpenSSH ControlMaster connection per
# host (opened fresh at the start, in parallel, and closed at the end), hosts in parallel. The lock is taken on the
# first host before any host starts and released after every host has finished.
#
# usage: bench/mux.sh <ssh_config> <deploy_to> <keep_releases> <artifact_dir> <host>...
set -euo pipefail

[ $# -ge 5 ] || { echo "usage: $0 <ssh_config> <deploy_to> <keep_releases> <artifact_dir> <host>..." >&2; exit 2; }
cfg=$1 D=$2 keep=$3 art=$4
shift 4
hosts=("$@")
[[ $D =~ ^/[A-Za-z0-9/_.-]+$ && $keep =~ ^[0-9]+$ ]] || { echo "mux: bad deploy_to or keep_releases" >&2; exit 2; }

# A fresh control-socket dir per run: no master of an earlier run can be reused. (Unix socket paths are short.)
work=$(mktemp -d /tmp/bmux.XXXXXX)
ssh_=(ssh -F "$cfg" -o BatchMode=yes -o "ControlPath=$work/%C")
close_masters() {
  for h in "${hosts[@]}"; do "${ssh_[@]}" -O exit "$h" >/dev/null 2>&1 & done
  wait
}
cleanup() {
  close_masters
  rm -rf "$work"
}
trap cleanup EXIT

tar -czf "$work/a.tgz" -C "$art" .
sha=$(sha256sum "$work/a.tgz" | cut -d' ' -f1)
id=$(date -u +%Y%m%d%H%M%S%3N)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
R=$D/releases/$id
U=$D/uploads/$id.tar.gz

r() { local h=$1; shift; "${ssh_[@]}" -o ControlMaster=no -- "$h" "$@"; }

# Connect every host at once; -f returns once the master is authenticated.
for h in "${hosts[@]}"; do "${ssh_[@]}" -o ControlMaster=yes -o ControlPersist=60 -fN -- "$h" & done
for p in $(jobs -p); do wait "$p"; done

r "${hosts[0]}" "mkdir -p $D && mkdir $D/deploy.lock && printf '%s\n' $id > $D/deploy.lock/release"

deploy_host() {
  local h=$1 prev
  prev=$(r "$h" "readlink $D/current || true")
  prev=${prev##*/}
  r "$h" "mkdir -p $R"
  r "$h" "mkdir -p $D/uploads"
  r "$h" "cat > $U" <"$work/a.tgz"
  r "$h" "printf '%s  %s\n' $sha $U | sha256sum -c -"
  r "$h" "tar -xzf $U -C $R"
  r "$h" "rm -f $U"
  r "$h" "printf '%s\n' $sha > $R/REVISION"
  r "$h" "mkdir -p $D/shared/log"
  r "$h" "rm -rf $R/log && ln -s $D/shared/log $R/log"
  r "$h" "cd $R && true"
  r "$h" "cd $R && date"
  r "$h" "cd $R && hostname"
  r "$h" "ln -sfn $R $D/current.tmp-$id && mv -T $D/current.tmp-$id $D/current"
  r "$h" "ls -1 $D/releases | sort | head -n -$keep | while IFS= read -r old; do [ \"\$old\" = $id ] || [ \"\$old\" = '$prev' ] || rm -rf \"$D/releases/\$old\"; done"
  r "$h" "printf '%s\n' '{\"release\":\"$id\",\"revision\":\"$sha\",\"user\":\"bench\",\"time\":\"$now\",\"stage\":\"bench\",\"outcome\":\"deployed\"}' >> $D/revisions.log"
}

pids=()
for i in "${!hosts[@]}"; do
  deploy_host "${hosts[$i]}" >"$work/out$i" 2>&1 </dev/null &
  pids+=($!)
done
failed=0
for i in "${!hosts[@]}"; do
  wait "${pids[i]}" || { echo "mux: ${hosts[$i]} failed: $(tail -5 "$work/out$i")" >&2; failed=1; }
done

r "${hosts[0]}" "rm -rf $D/deploy.lock"
exit "$failed"
