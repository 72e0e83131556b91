"""The care app's models, one module per part (each imported here so Django finds them)."""

from .models_checklists import (  # noqa: E402,F401
    ChatSession,
    ChecklistItem,
    ChecklistTick,
    Introduction,
    IntroductionSetup,
)
