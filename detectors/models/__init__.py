"""Model catalogue, cache and build: getting default models onto a machine from package registries only."""
