"""netpol-tui: a terminal console for Kubernetes NetworkPolicy on GKE."""

__version__ = "0.1.0"
