#!/bin/sh
# Regenerates orientorder_ref.dump with Debian's LAMMPS (lmp, 29 Sep 2021).
cd "$(dirname "$0")" && rm -f orientorder_ref.dump && lmp -in orientorder.in -log none -screen none && \
  grep -c . orientorder_ref.dump
