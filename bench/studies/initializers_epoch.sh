#!/bin/sh
# One CIFAR-10 epoch of the spec's AlexNet per Keras initializer (issue 3).
# Usage: bench/studies/initializers_epoch.sh DATA_DIR OUT_DIR
# DATA_DIR must hold cifar10/ (binary batches or the JPEG class tree, e.g.
# tar xzf ../shared/datasets/cifar10-jpeg.tar.gz -C DATA_DIR/cifar10).
# About 11 minutes per initializer on 2 AVX2 cores.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
netc=${NETC:-$here/../../build/bin/netc}
"$netc" run "$here/initializers_epoch.net" --data "$1" --out "$2"
