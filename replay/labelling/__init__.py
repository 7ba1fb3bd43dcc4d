"""The labelling page: play footage with its zones drawn, mark incident intervals, export, import."""
