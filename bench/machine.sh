#!/usr/bin/env bash
# Prints the machine a benchmark ran on, as one line each: CPU model, the
# vector ISA oneDNN can use (avx512f / avx2), cores, memory, the MPI launcher;
# and, when the peers' venv exists ($PEERS_VENV, default /opt/peers), the
# sgemm and memory rates measured by bench/side_by_side.py with THREADS
# threads (default 1). Every benchmark script prints it first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
isa=$(grep -m1 '^flags' /proc/cpuinfo | grep -ow 'avx512f\|avx2' | sort -u | paste -sd, -)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
mpi=$(mpirun --version 2>/dev/null | head -1 || true)
echo "machine: $model; isa: ${isa:-no avx2}; cores: $(nproc); memory: $mem; ${mpi:-no mpirun}"
venv="${PEERS_VENV:-/opt/peers}"
if [[ -x "$venv/bin/python" ]]; then
  "$venv/bin/python" "$here/side_by_side.py" machine "${THREADS:-1}"
else
  echo "(no sgemm rate: the peers' venv $venv is missing; bench/side_by_side.sh makes it)"
fi
