"""`gridwatch bench detect`: the detector worker path against a naive loop, on the same model and frames."""
