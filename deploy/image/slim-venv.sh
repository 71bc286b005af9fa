#!/bin/sh
# Remove what the runtime never loads from a virtualenv installed with `pip install --no-compile`:
# test suites, C++ headers and test binaries of torch, and pip itself. Used by the Dockerfile's
# build stage, and by docs/deployment.md's size measurement on a scratch venv.
# Usage: slim-venv.sh VENV
set -eu
venv=$1
site=$(echo "$venv"/lib/python3*/site-packages)

# Test suites shipped inside packages (sympy, scipy, sklearn, networkx, numpy, ...).
find "$site" -depth -type d -name tests -exec rm -rf {} +
# torch: its own test tree, C++ headers (only for building extensions), and test binaries;
# torch_shm_manager stays (tensor sharing between processes needs it).
rm -rf "$site/torch/test" "$site/torch/include"
find "$site/torch/bin" -mindepth 1 ! -name torch_shm_manager -exec rm -rf {} +
# Nothing installs packages at run time.
"$venv/bin/python" -m pip uninstall --quiet --yes pip setuptools wheel 2>/dev/null || true
