#!/usr/bin/env bash
# The floor: the minimal deploy done with one plain `ssh` per host, hosts in parallel. Each host runs the whole
# deploy as one remote script with the tarball on stdin. The lock is taken and released on the first host, inside
# that host's own ssh session: the other hosts connect at once, but their scripts wait for a "go" line that is
# sent only once the lock is held, and the first host unlocks only after every host has finished.
#
# usage: bench/floor.sh <ssh_config> <deploy_to> <keep_releases> <artifact_dir> <host>...
# Every ssh is a fresh connection (no ControlMaster). Exit 0 when every host deployed.
set -euo pipefail

[ $# -ge 5 ] || { echo "usage: $0 <ssh_config> <deploy_to> <keep_releases> <artifact_dir> <host>..." >&2; exit 2; }
cfg=$1 D=$2 keep=$3 art=$4
shift 4
hosts=("$@")
[[ $D =~ ^/[A-Za-z0-9/_.-]+$ && $keep =~ ^[0-9]+$ ]] || { echo "floor: bad deploy_to or keep_releases" >&2; exit 2; }

work=$(mktemp -d)
pids=()
feeders=()
cleanup() {
  for p in "${pids[@]}" "${feeders[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The same packing our CLI does for an artifact directory, once, locally.
tar -czf "$work/a.tgz" -C "$art" .
sha=$(sha256sum "$work/a.tgz" | cut -d' ' -f1)
size=$(stat -c %s "$work/a.tgz")
id=$(date -u +%Y%m%d%H%M%S%3N)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ssh_=(ssh -F "$cfg" -o BatchMode=yes -o ControlMaster=no -o ControlPath=none)

# $1: "lock" for the lock host, "gated" for the others.
remote_script() {
  local role=$1
  cat <<EOF
set -e
D=$D; ID=$id; R=\$D/releases/\$ID; U=\$D/uploads/\$ID.tar.gz
EOF
  if [ "$role" = lock ]; then
    cat <<EOF
mkdir -p \$D
mkdir \$D/deploy.lock || { echo held; exit 3; }
printf '%s\n' \$ID > \$D/deploy.lock/release
echo locked
EOF
  else
    echo 'IFS= read -r go; [ "$go" = go ] || exit 3'
  fi
  cat <<EOF
prev=\$(readlink \$D/current || true); prev=\${prev##*/}
mkdir -p \$R \$D/uploads
head -c $size > \$U
printf '%s  %s\n' $sha \$U | sha256sum -c - >/dev/null
tar -xzf \$U -C \$R
rm -f \$U
printf '%s\n' $sha > \$R/REVISION
mkdir -p \$D/shared/log
rm -rf \$R/log && ln -s \$D/shared/log \$R/log
cd \$R; true; date >&2; hostname >&2; cd /
ln -sfn \$R \$D/current.tmp-\$ID && mv -T \$D/current.tmp-\$ID \$D/current
ls -1 \$D/releases | sort | head -n -$keep | while IFS= read -r old; do
  [ "\$old" = "\$ID" ] || [ "\$old" = "\$prev" ] || rm -rf "\$D/releases/\$old"
done
printf '%s\n' '{"release":"$id","revision":"$sha","user":"bench","time":"$now","stage":"bench","outcome":"deployed"}' >> \$D/revisions.log
EOF
  if [ "$role" = lock ]; then
    cat <<EOF
echo done
IFS= read -r unlock
rm -rf \$D/deploy.lock
EOF
  fi
}

# Every ssh starts now, so all connections are set up in parallel; stdin is a fifo we feed later.
n=${#hosts[@]}
declare -a win
for i in $(seq 0 $((n - 1))); do
  mkfifo "$work/in$i"
  role=gated
  [ "$i" -eq 0 ] && { role=lock; mkfifo "$work/out0"; }
  out="$work/out$i"
  "${ssh_[@]}" -- "${hosts[$i]}" "$(remote_script "$role")" <"$work/in$i" >"$out" 2>"$work/err$i" &
  pids+=($!)
  exec {fd}>"$work/in$i"
  win[i]=$fd
done
exec {r0}<"$work/out0"

cat "$work/a.tgz" >&"${win[0]}" &
feeders+=($!)
IFS= read -r line <&"$r0" || line=""
if [ "$line" != locked ]; then
  echo "floor: ${hosts[0]}: could not take the lock (${line:-no answer}): $(cat "$work/err0")" >&2
  exit 1
fi
for i in $(seq 1 $((n - 1))); do
  { echo go; cat "$work/a.tgz"; } >&"${win[i]}" &
  feeders+=($!)
  eval "exec ${win[i]}>&-"
done

failed=0
for i in $(seq 1 $((n - 1))); do
  if ! wait "${pids[i]}"; then
    echo "floor: ${hosts[$i]} failed: $(cat "$work/err$i")" >&2
    failed=1
  fi
done
IFS= read -r line <&"$r0" || line=""
[ "$line" = done ] || { echo "floor: ${hosts[0]} failed: $(cat "$work/err0")" >&2; failed=1; }
echo unlock >&"${win[0]}"
eval "exec ${win[0]}>&-"
cat <&"$r0" >/dev/null
wait "${pids[0]}" || { echo "floor: ${hosts[0]} failed: $(cat "$work/err0")" >&2; failed=1; }
pids=()
feeders=()
exit "$failed"
