#!/usr/bin/env bash
# A throw-away single-node Slurm (Debian `slurm-wlm`) for trying deploy/slurm/penumbra-cluster.sbatch on
# one machine, and for the integration test that does (Tests/ClusterIntegrationTests/SlurmTests.swift).
#
#   deploy/slurm/single-node.sh start DIR    # writes DIR/slurm.conf, starts munged, slurmctld, slurmd
#   SLURM_CONF=DIR/slurm.conf sbatch --wait --nodes=1 deploy/slurm/penumbra-cluster.sbatch ...
#   deploy/slurm/single-node.sh stop DIR
#
# Needs root (the daemons run as root here; a production Slurm runs slurmctld as SlurmUser). The ports
# are SLURM_TEST_PORT and SLURM_TEST_PORT+1 (default 16817), so a system Slurm on 6817 is left alone.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [[ -z $command || -z $dir ]]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi
dir=$(realpath -m "$dir")
export SLURM_CONF=$dir/slurm.conf

case $command in
start)
    for tool in munged munge unmunge slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install slurm-wlm" >&2; exit 1; }
    done
    [[ $(id -u) == 0 ]] || { echo "single-node Slurm needs root (the daemons run as root here)" >&2; exit 1; }
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    host=$(hostname)
    port=${SLURM_TEST_PORT:-16817}
    # Daemons of an earlier run (killed before 'stop') would answer in place of ours, with a configuration
    # whose directory is gone: refuse rather than run jobs on them.
    for p in "$port" "$((port + 1))"; do
        if ss -Hltn "sport = :$p" | grep -q .; then
            echo "port $p is in use (Slurm daemons of an earlier run? stop them with 'single-node.sh stop DIR'" \
                "or kill them, or choose other ports with SLURM_TEST_PORT)" >&2
            exit 1
        fi
    done
    cat >"$dir/slurm.conf" <<CONF
ClusterName=penumbra-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
    # munge authenticates every Slurm message; its key comes with the Debian package. Started unless a
    # working munged already answers (a credential round trip, not a process name: zombies match those).
    if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        [[ -s /etc/munge/munge.key ]] || { echo "no /etc/munge/munge.key: run mungekey --create as munge" >&2; exit 1; }
        mkdir -p /run/munge && chown munge:munge /run/munge
        su -s /bin/sh munge -c /usr/sbin/munged
        for _ in $(seq 1 20); do
            munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
            sleep 0.25
        done
    fi
    slurmctld
    slurmd
    # Ready when the node is idle (ReturnToService=2 brings it up as soon as slurmd registers).
    for _ in $(seq 1 60); do
        if sinfo --noheader --states=idle --format=%N 2>/dev/null | grep -q .; then exit 0; fi
        sleep 0.5
    done
    echo "single-node Slurm did not become idle in 30 s; logs in $dir/log" >&2
    exit 1
    ;;
stop)
    pids=()
    for daemon in slurmd slurmctld; do
        pid=$(cat "$dir/$daemon.pid" 2>/dev/null || true)
        [[ -n $pid ]] && pids+=("$pid")
    done
    (( ${#pids[@]} )) || exit 0
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 40); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || exit 0
        sleep 0.25
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
    echo "Slurm daemons did not stop in 10 s and were killed (pids ${pids[*]})" >&2
    exit 1
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
