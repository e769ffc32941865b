"""digestbot benchmarks: `python -m bench` prints every figure against a same-run baseline."""
