"""The build engine: stages, the cache of the last build, workers, the writer and progress."""
