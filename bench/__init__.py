"""glassnet's speed and memory benchmark against PyTorch (CPU) and scikit-learn.

Run ``python -m bench`` (``--help`` for the options); see bench/README.md for what is measured,
what each column means, the latest figures and the targets of issue 7.

Modules: ``common`` (cases, synthetic data, FLOP counts, memory and machine helpers),
``worker`` (one framework's training or one micro-case, run in its own subprocess so its peak RSS
is its own), ``peak`` (the machine's measured matrix-product peak), ``profile`` (cProfile of one
glassnet epoch plus a component breakdown), ``run`` (the command line, the interleaved schedule,
the tables and the JSON report).
"""
