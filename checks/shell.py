"""Moved to `netpol_tui.shell` (the one quoting module, below every layer that prints commands).

Kept so that `netpol_tui.checks.shell` imports elsewhere keep working; new code imports
`netpol_tui.shell`.
"""

from netpol_tui.shell import (
    HEREDOC_DELIMITER,
    NOT_EXACT_WARNING,
    ScriptLine,
    ShellCommand,
    apply,
    exact_text,
    gcloud,
    heredoc_delimiter,
    join,
    kubectl,
    objects,
    quote,
    script,
    script_lines,
)

__all__ = ["HEREDOC_DELIMITER", "NOT_EXACT_WARNING", "ScriptLine", "ShellCommand", "apply", "exact_text",
           "gcloud", "heredoc_delimiter", "join", "kubectl", "objects", "quote", "script", "script_lines"]
