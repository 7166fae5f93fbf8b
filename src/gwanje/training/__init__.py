"""Training scripts for the models Gwanje ships. Needs the optional `train` extra (PyTorch, CPU build);
nothing at run time imports this package."""
