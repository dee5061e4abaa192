"""Commands of this group are added by their module (see salesmetrics.cli)."""
