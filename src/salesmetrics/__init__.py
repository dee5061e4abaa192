"""salesmetrics: every sales and SaaS metric, with one written and tested definition each."""

from salesmetrics import calc
from salesmetrics.errors import UserError
from salesmetrics.workspace import Workspace, init_workspace, open_workspace

__all__ = ["UserError", "Workspace", "__version__", "calc", "init_workspace", "open_workspace"]
__version__ = "0.1.0"
